// Every table of the application, re-exported from its module (drizzle-kit reads this file).
export {}
