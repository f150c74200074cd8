export { ELEMENT_TYPES, elementSize } from './element-type.js';
export type { ElementType, TypedArrayMap, TypedArrayOf, ValueOf } from './element-type.js';
export {
  MMAP_ADDRESS_ALIGNMENT,
  MMAP_ALIGNMENT_MISMATCH,
  MMAP_CLOSED,
  MMAP_ERROR_CODES,
  MMAP_FAILED,
  MMAP_FILE_TRUNCATED,
  MMAP_IO_ERROR,
  MMAP_OUT_OF_RANGE,
  MMAP_READ_ONLY,
  MMAP_TOO_LARGE,
  MMAP_UNAVAILABLE,
  MappingAddressAlignmentError,
  MappingAlignmentError,
  MappingClosedError,
  MappingError,
  MappingFailedError,
  MappingFileTruncatedError,
  MappingIoError,
  MappingRangeError,
  MappingReadOnlyError,
  MappingTooLargeError,
  MappingUnavailableError,
} from './errors.js';
export type { MmapErrorCode } from './errors.js';
export { MMAP_EVENTS } from './events.js';
export type { MmapEventName } from './events.js';
export { MappedFile } from './mapped-file.js';
export type { ArrayFor, IncoreReport, SliceFor } from './mapped-file.js';
export { MappedSlice } from './mapped-slice.js';
export type { ReadonlyMappedSlice } from './mapped-slice.js';
export { MappedRecords } from './mapped-records.js';
export type { RecordAccessor } from './mapped-records.js';
export { RecordWriter } from './record-writer.js';
export { computeRecordLayout } from './record-layout.js';
export type { RecordField, RecordLayout, RecordValues } from './record-layout.js';
export type {
  MappedFileOptions,
  MappedRecordsOptions,
  MappingAdvice,
  MappingFallback,
  MappingMode,
  MappingPromotion,
  MappingOptions,
  RecordSchema,
  RecordWriterOptions,
} from './options.js';
