// Words for titles, descriptions and tags; drawn with a Zipf-like skew so search terms range
// from common to rare, as in real task text.
export const WORDS = `fix update review deploy release design migrate refactor test document plan investigate
customer invoice payment report dashboard login signup onboarding email notification search filter export
import sync backup restore database query index cache queue worker webhook api endpoint schema mobile
android ios web frontend backend server client performance latency memory crash bug regression feature
roadmap sprint milestone budget forecast contract vendor legal compliance audit security password token
session permission role team project task comment attachment upload download storage billing pricing
analytics metric chart table calendar reminder deadline meeting agenda notes feedback survey interview
hiring candidate offer training workshop conference travel expense receipt approval policy handbook
inventory warehouse shipment order supplier catalog product launch campaign newsletter social content
blog video podcast webinar translation localization accessibility keyboard layout theme dark color font
icon logo brand website landing page form checkout cart discount coupon subscription renewal churn
retention support ticket escalation incident outage postmortem monitoring alert logging tracing staging
production rollback hotfix patch upgrade dependency library framework docker kubernetes terraform`
  .split(/\s+/)
  .filter(Boolean)

export const FIRST_NAMES = `Ada Alan Grace Linus Barbara Ken Dennis Margaret Edsger Donald Frances Radia Tim Vint
Guido Bjarne Anders Yukihiro Rob Brian Sophie Hedy Katherine Mary John Claude Leslie Niklaus Tony Shafi`
  .split(/\s+/)
  .filter(Boolean)
export const LAST_NAMES = `Lovelace Turing Hopper Torvalds Liskov Thompson Ritchie Hamilton Dijkstra Knuth Allen
Perlman Berners-Lee Cerf Rossum Stroustrup Hejlsberg Matsumoto Pike Kernighan Wilson Lamarr Johnson Jackson
McCarthy Shannon Lamport Wirth Hoare Goldwasser`
  .split(/\s+/)
  .filter(Boolean)

export const COLORS = ['#e11d48', '#f59e0b', '#10b981', '#3b82f6', '#8b5cf6', '#64748b', '#0ea5e9', '#84cc16']
