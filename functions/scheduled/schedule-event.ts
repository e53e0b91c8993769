import * as z from 'zod';

/** An EventBridge scheduled event (or the local timer's copy of one). Anything else is refused. */
export const ScheduledEventSchema = z.object({
  source: z.string().min(1),
  'detail-type': z.literal('Scheduled Event'),
  time: z.string().optional(),
});

export function parseScheduledEvent(event: unknown): z.output<typeof ScheduledEventSchema> {
  const parsed = ScheduledEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new Error(`Not a scheduled event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** What the local timers send, shaped as EventBridge would. */
export function localScheduledEvent(now = new Date()): z.input<typeof ScheduledEventSchema> {
  return { source: 'local.timer', 'detail-type': 'Scheduled Event', time: now.toISOString() };
}
