import { AwsClients } from '../aws/clients.ts';
import { LOCAL_REGION } from './constants.ts';
import type { LocalEndpoints } from './state.ts';

/** AWS clients pointed at the local stack's endpoints, with its key (ignores AWS_* variables of the environment). */
export function localAwsClients(endpoints: LocalEndpoints): AwsClients {
  return new AwsClients({
    endpoints: { kinesis: endpoints.kinesis, dynamodb: endpoints.dynamodb, s3: endpoints.s3 },
    credentials: endpoints.credentials,
    region: LOCAL_REGION,
    env: {},
  });
}
