export { ELEMENT_TYPES, elementSize } from './element-type.js';
export type { ElementType, TypedArrayMap, TypedArrayOf, ValueOf } from './element-type.js';
export {
  MAPPING_ADDRESS_ALIGNMENT,
  MAPPING_ALIGNMENT_MISMATCH,
  MAPPING_CLOSED,
  MAPPING_FAILED,
  MAPPING_FILE_TRUNCATED,
  MAPPING_IO_ERROR,
  MAPPING_OUT_OF_RANGE,
  MAPPING_READ_ONLY,
  MAPPING_TOO_LARGE,
  MAPPING_UNAVAILABLE,
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
