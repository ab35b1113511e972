export { TagStore, type StoredObject, type TagStoreOptions } from './tag-store';
export { findSqlWasm } from './sqljs';
