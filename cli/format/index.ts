import { formatDescribe } from '../../common/flux/describe';
import type { ScanReport } from '../../common/flux/report';
import { formatJson, formatYaml } from './structured';
import { formatTable } from '../../common/flux/table';

export type ScanFormat = 'table' | 'json' | 'yaml' | 'describe';
export const SCAN_FORMATS: readonly ScanFormat[] = ['table', 'json', 'yaml', 'describe'];
export type { ScanReport } from '../../common/flux/report';

export function formatReports(reports: ScanReport[], format: ScanFormat): string {
  switch (format) {
    case 'table':
      return formatTable(reports);
    case 'json':
      return formatJson(reports);
    case 'yaml':
      return formatYaml(reports);
    case 'describe':
      return formatDescribe(reports);
  }
}
