import { formatDescribe } from '../../common/flux/describe';
import type { PolicyReport, ScanReport } from '../../common/flux/report';
import type { SkippedObject } from '../../common/model';
import { formatJson, formatYaml } from './structured';
import { formatPolicyTable, formatTable } from '../../common/flux/table';

export type ScanFormat = 'table' | 'json' | 'yaml' | 'describe';
export const SCAN_FORMATS: readonly ScanFormat[] = ['table', 'json', 'yaml', 'describe'];
export type { PolicyReport, ScanReport } from '../../common/flux/report';

/**
 * ImageRepositories, then ImagePolicies: one array for json/yaml (ending with the ImageRepositories not scanned,
 * `skipped`), a second table (after a blank line) for table. table and describe leave `skipped` to stderr.
 */
export function formatReports(reports: ScanReport[], format: ScanFormat, policies: PolicyReport[] = [], skipped: readonly SkippedObject[] = []): string {
  switch (format) {
    case 'table':
      if (policies.length === 0) return formatTable(reports);
      if (reports.length === 0) return formatPolicyTable(policies);
      return `${formatTable(reports)}\n${formatPolicyTable(policies)}`;
    case 'json':
      return formatJson([...reports, ...policies], skipped);
    case 'yaml':
      return formatYaml([...reports, ...policies], skipped);
    case 'describe':
      return formatDescribe([...reports, ...policies]);
  }
}
