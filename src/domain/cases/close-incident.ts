/**
 * How a connector type closes its external record when the case is closed, or undefined when
 * it cannot (the ticket then keeps its state and only the pushed fields change). ServiceNow ITSM
 * has `closeIncident`, which applies the connector's close code and notes (servicenow-kibana.md §5).
 */
export function closeParamsFor(
  connectorType: string,
  externalId: string,
  caseId: string,
): Record<string, unknown> | undefined {
  if (connectorType === '.servicenow') {
    return {
      subAction: 'closeIncident',
      subActionParams: { incident: { externalId, correlation_id: caseId } },
    };
  }
  return undefined;
}
