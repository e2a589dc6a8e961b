/**
 * CloudWatch Logs as a log-event source: FilterLogEvents over each function's log group, every
 * page, merged in time order. A group that does not exist yet (the function has not run, or
 * setup has not created it) yields no events instead of an error, so `tail --follow` waits quietly.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type LogEvent, type LogEventSource, type LogFunction, type LogWindow, mergeEvents } from './source.ts';

export interface LogGroupRef {
  fn: LogFunction;
  group: string;
}

export class CloudWatchLogSource implements LogEventSource {
  private readonly client: CloudWatchLogsClient;
  private readonly groups: readonly LogGroupRef[];
  private readonly onMissingGroup: ((group: string) => void) | undefined;

  constructor(client: CloudWatchLogsClient, groups: readonly LogGroupRef[], onMissingGroup?: (group: string) => void) {
    this.client = client;
    this.groups = groups;
    this.onMissingGroup = onMissingGroup;
  }

  async read(window: LogWindow): Promise<LogEvent[]> {
    const { paginateFilterLogEvents } = await import('@aws-sdk/client-cloudwatch-logs');
    const lists = await Promise.all(
      this.groups.map(async ({ fn, group }) => {
        const events: LogEvent[] = [];
        try {
          const pages = paginateFilterLogEvents(
            { client: this.client },
            {
              logGroupName: group,
              startTime: window.startTime,
              ...(window.endTime !== undefined ? { endTime: window.endTime } : {}),
              ...(window.filterPattern ? { filterPattern: window.filterPattern } : {}),
            },
          );
          for await (const page of pages) {
            for (const event of page.events ?? []) {
              if (event.eventId === undefined || event.timestamp === undefined) continue;
              events.push({
                id: event.eventId,
                fn,
                group,
                stream: event.logStreamName ?? '',
                timestamp: event.timestamp,
                message: event.message ?? '',
              });
            }
          }
        } catch (error) {
          if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
          this.onMissingGroup?.(group);
        }
        return events;
      }),
    );
    return mergeEvents(lists);
  }
}
