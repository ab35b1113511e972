import { formatDescribe } from '../../common/flux/describe';
import type { PolicyReport, ScanReport } from '../../common/flux/report';
import { formatJson, formatYaml } from './structured';
import { formatPolicyTable, formatTable } from '../../common/flux/table';

export type ScanFormat = 'table' | 'json' | 'yaml' | 'describe';
export const SCAN_FORMATS: readonly ScanFormat[] = ['table', 'json', 'yaml', 'describe'];
export type { PolicyReport, ScanReport } from '../../common/flux/report';

/** ImageRepositories, then ImagePolicies: one array for json/yaml, a second table (after a blank line) for table. */
export function formatReports(reports: ScanReport[], format: ScanFormat, policies: PolicyReport[] = []): string {
  switch (format) {
    case 'table':
      if (policies.length === 0) return formatTable(reports);
      if (reports.length === 0) return formatPolicyTable(policies);
      return `${formatTable(reports)}\n${formatPolicyTable(policies)}`;
    case 'json':
      return formatJson([...reports, ...policies]);
    case 'yaml':
      return formatYaml([...reports, ...policies]);
    case 'describe':
      return formatDescribe([...reports, ...policies]);
  }
}
