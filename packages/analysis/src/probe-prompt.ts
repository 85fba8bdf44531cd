import { PvaError } from "@pva/core";

const SLOT = "{activity}";

/**
 * The probe prompt for one activity and the character span the activity occupies in it. The span is
 * known by construction (where the slot was), never found by searching the text, so an activity
 * whose words also occur in the template is still located exactly.
 */
export function probePrompt(template: string, activity: string): { text: string; span: [number, number] } {
  const at = template.indexOf(SLOT);
  if (at < 0 || template.indexOf(SLOT, at + 1) >= 0)
    throw new PvaError(
      `probe.template: expected exactly one ${SLOT} slot, got ${JSON.stringify(template)}`,
      "E_TEMPLATE",
    );
  return {
    text: template.slice(0, at) + activity + template.slice(at + SLOT.length),
    span: [at, at + activity.length],
  };
}
