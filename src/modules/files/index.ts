export { DownloadQuery, sendStoredFile } from './files.download.ts'
export { attachmentObjectsOf, type CascadeDeps, DELETE_OBJECT_JOB, removeObjects } from './files.jobs.ts'
export {
  nameStoredFile,
  receiveFile,
  type StoredFile,
  type UploadRoutesOptions,
  uploadParts,
  uploadRoute,
} from './files.upload.ts'
