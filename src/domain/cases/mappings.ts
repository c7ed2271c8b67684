import type { Mapping } from './types.js';

const standard = (title: string, comments: string): Mapping[] => [
  { source: 'title', target: title, action_type: 'overwrite' },
  { source: 'description', target: 'description', action_type: 'overwrite' },
  { source: 'comments', target: comments, action_type: 'append' },
];

/**
 * Field mappings per connector type (cases-kibana.md §2.3). They live in code, as in current
 * Kibana: configuration responses show them, and push uses them whatever is stored.
 */
const mappingsByType: Record<string, Mapping[]> = {
  '.servicenow': standard('short_description', 'work_notes'),
  '.servicenow-sir': standard('short_description', 'work_notes'),
  '.jira': standard('summary', 'comments'),
  '.resilient': standard('name', 'comments'),
  '.swimlane': standard('caseName', 'comments'),
};

/** The mappings of a connector type; `[]` for `.none`, `.cases-webhook` and unknown types. */
export function mappingsFor(connectorType: string): Mapping[] {
  return (mappingsByType[connectorType] ?? []).map((mapping) => ({ ...mapping }));
}
