/**
 * The pipeline's CloudWatch alarms. Each description says what is wrong and what to do, because
 * it is the first line a person reads in the alarm e-mail.
 */
import { DEFAULT_PIPELINE_NAME, type PipelineNames } from '../core/names.ts';
import type { AlarmId } from './node-ids.ts';
import type { AlarmOptions } from './resources/alarm.ts';

/** Five minutes behind its source: well past a healthy batch window. */
export const ITERATOR_AGE_LIMIT_MS = 300_000;
/** Throttle events in five minutes worth a look (a few are retried away by the SDK). */
export const THROTTLE_EVENTS_LIMIT = 10;

export function pipelineAlarms(pipeline: string, names: PipelineNames): AlarmOptions[] {
  const flags = pipeline === DEFAULT_PIPELINE_NAME ? '' : ` --name ${pipeline}`;
  const tail = (fn: 'ingest' | 'trends') => `\`stockpipe tail ${fn} --since 1h${flags}\``;
  const status = `\`stockpipe status${flags}\``;
  return [
    {
      id: 'alarm-no-incoming-data',
      name: names.alarms.noIncomingData,
      // Off until `stockpipe stream` runs: no data is only a problem while streaming is expected.
      actionsManagedElsewhere: true,
      definition: {
        AlarmDescription: `stockpipe ${names.stream}: no records arrived for 15 minutes while stockpipe stream runs. Check the stream command's output (market closed, rate-limited source, credentials) and ${status}.`,
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Dimensions: [{ Name: 'StreamName', Value: names.stream }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        ActionsEnabled: false,
      },
    },
    errorsAlarm('alarm-ingest-errors', names.alarms.ingestErrors, names.ingestFunction, tail('ingest')),
    errorsAlarm('alarm-trends-errors', names.alarms.trendsErrors, names.trendsFunction, tail('trends')),
    iteratorAgeAlarm(
      'alarm-iterator-age',
      names.alarms.iteratorAge,
      names.ingestFunction,
      `the Kinesis stream ${names.stream}`,
      `Look for errors or timeouts with ${tail('ingest')}; records older than 1 hour go to the mapping's on-failure destination.`,
    ),
    iteratorAgeAlarm(
      'alarm-trends-iterator-age',
      names.alarms.trendsIteratorAge,
      names.trendsFunction,
      `the stream of the DynamoDB table ${names.quotesTable}`,
      `Look for errors or timeouts with ${tail('trends')}; the table's stream keeps records for 24 hours only.`,
    ),
    throttlesAlarm(
      'alarm-quotes-write-throttles',
      names.alarms.quotesWriteThrottles,
      names.quotesTable,
      'WriteThrottleEvents',
      `DynamoDB throttled writes from ${names.ingestFunction}: an on-demand table throttles above twice its previous peak. Slow the producer down (stockpipe stream --interval) or wait a few minutes for the table to scale; ${status} shows whether ingest keeps up.`,
    ),
    throttlesAlarm(
      'alarm-quotes-read-throttles',
      names.alarms.quotesReadThrottles,
      names.quotesTable,
      'ReadThrottleEvents',
      `DynamoDB throttled the quote-history reads of ${names.trendsFunction}: an on-demand table throttles above twice its previous peak. Wait a few minutes for the table to scale, and check ${tail('trends')} for retries.`,
    ),
  ];
}

function errorsAlarm(id: AlarmId, name: string, functionName: string, tail: string): AlarmOptions {
  return {
    id,
    name,
    definition: {
      AlarmDescription: `stockpipe ${functionName}: the function reported errors. Read them with ${tail}; records it gave up on after its retries go to the mapping's on-failure destination.`,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
  };
}

function iteratorAgeAlarm(id: AlarmId, name: string, functionName: string, source: string, todo: string): AlarmOptions {
  return {
    id,
    name,
    definition: {
      AlarmDescription: `stockpipe ${functionName}: more than 5 minutes behind ${source}. ${todo}`,
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: ITERATOR_AGE_LIMIT_MS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  };
}

function throttlesAlarm(
  id: AlarmId,
  name: string,
  table: string,
  metric: 'WriteThrottleEvents' | 'ReadThrottleEvents',
  todo: string,
): AlarmOptions {
  return {
    id,
    name,
    definition: {
      AlarmDescription: `stockpipe ${table}: ${todo}`,
      Namespace: 'AWS/DynamoDB',
      MetricName: metric,
      Dimensions: [{ Name: 'TableName', Value: table }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: THROTTLE_EVENTS_LIMIT,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
  };
}
