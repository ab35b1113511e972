export { TagStore, type StoredObject, type StoredPolicy, type TagStoreOptions } from './tag-store';
export { findSqlWasm } from './sqljs';
