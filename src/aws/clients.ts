/**
 * One lazily-built AWS client per service, configured once from the resolved settings.
 * SDK modules are imported on first use only: `stockpipe --help` never loads them, and a command
 * pays only for the services it calls.
 *
 * Endpoints: the SDK itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>; `endpoints`
 * overrides them (the local target points each service at its emulator).
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UsageError } from '../errors.ts';
import { profileExists, sharedFiles } from './profile.ts';

export interface ServiceClients {
  athena: AthenaClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  dynamodb: DynamoDBClient;
  glue: GlueClient;
  iam: IAMClient;
  kinesis: KinesisClient;
  lambda: LambdaClient;
  s3: S3Client;
  sns: SNSClient;
  sts: STSClient;
}
export type ServiceName = keyof ServiceClients;

export interface AwsClientOptions {
  region?: string;
  profile?: string;
  /** Per-service endpoint overrides (the local target's emulators). */
  endpoints?: Partial<Record<ServiceName, string>>;
  /** Static credentials (the local target's emulators accept any). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK retry attempts for throttling and 5xx on every call (standard mode, jittered backoff). */
  maxAttempts?: number;
  env?: Record<string, string | undefined>;
  /**
   * Settings known only once something has started (the local stack's endpoints): resolved once,
   * on the first client requested, and merged over the options above.
   */
  resolve?: () => Promise<Pick<AwsClientOptions, 'endpoints' | 'credentials' | 'region'>>;
  /**
   * The only services this target has; asking for another fails with `unavailable(service)`
   * instead of reaching real AWS (the local target has no IAM, Lambda, SNS, Glue or Athena).
   */
  services?: readonly ServiceName[];
  unavailable?: (service: ServiceName) => Error;
  /** Called with each client as it is created: tests attach middleware here (e.g. to count calls). */
  onClient?: (service: ServiceName, client: ServiceClients[ServiceName]) => void;
}

type Constructor<T> = new (config: Record<string, unknown>) => T;

/** The service ids of AWS_ENDPOINT_URL_<ID>, as the SDK names them. */
const ENDPOINT_ENV_IDS: Record<ServiceName, string> = {
  athena: 'ATHENA',
  cloudwatch: 'CLOUDWATCH',
  logs: 'CLOUDWATCH_LOGS',
  dynamodb: 'DYNAMODB',
  glue: 'GLUE',
  iam: 'IAM',
  kinesis: 'KINESIS',
  lambda: 'LAMBDA',
  s3: 'S3',
  sns: 'SNS',
  sts: 'STS',
};

const LOADERS: { [S in ServiceName]: () => Promise<Constructor<ServiceClients[S]>> } = {
  athena: async () => (await import('@aws-sdk/client-athena')).AthenaClient,
  cloudwatch: async () => (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient,
  logs: async () => (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient,
  dynamodb: async () => (await import('@aws-sdk/client-dynamodb')).DynamoDBClient,
  glue: async () => (await import('@aws-sdk/client-glue')).GlueClient,
  iam: async () => (await import('@aws-sdk/client-iam')).IAMClient,
  kinesis: async () => (await import('@aws-sdk/client-kinesis')).KinesisClient,
  lambda: async () => (await import('@aws-sdk/client-lambda')).LambdaClient,
  s3: async () => (await import('@aws-sdk/client-s3')).S3Client,
  sns: async () => (await import('@aws-sdk/client-sns')).SNSClient,
  sts: async () => (await import('@aws-sdk/client-sts')).STSClient,
};

export class AwsClients {
  private readonly cache = new Map<ServiceName, Promise<unknown>>();
  private documentClientPromise: Promise<DynamoDBDocumentClient> | undefined;
  private resolved: Promise<AwsClientOptions> | undefined;

  readonly options: AwsClientOptions;

  constructor(options: AwsClientOptions = {}) {
    this.options = options;
  }

  /** The client for a service, created on first use. */
  get<S extends ServiceName>(service: S): Promise<ServiceClients[S]> {
    const { services, unavailable } = this.options;
    if (services && !services.includes(service)) {
      return Promise.reject(unavailable?.(service) ?? new Error(`${service} is not available on this target`));
    }
    let pending = this.cache.get(service) as Promise<ServiceClients[S]> | undefined;
    if (!pending) {
      pending = this.create(service);
      this.cache.set(service, pending);
    }
    return pending;
  }

  /** DynamoDB with native JS values (lib-dynamodb marshalling); undefined attributes are dropped. */
  documentClient(): Promise<DynamoDBDocumentClient> {
    this.documentClientPromise ??= (async () => {
      const [{ DynamoDBDocumentClient }, base] = await Promise.all([
        import('@aws-sdk/lib-dynamodb'),
        this.get('dynamodb'),
      ]);
      return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
    })();
    return this.documentClientPromise;
  }

  /**
   * The endpoint a service is sent to when one is configured (emulators), undefined for the
   * service's AWS default. Settings resolved later (the local stack) are not known here.
   */
  endpointOverride(service: ServiceName): string | undefined {
    return this.options.endpoints?.[service] ?? this.endpointFromEnv(service);
  }

  /** AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, from the env we were given (not only process.env). */
  private endpointFromEnv(service: ServiceName): string | undefined {
    const env = this.options.env ?? process.env;
    return env[`AWS_ENDPOINT_URL_${ENDPOINT_ENV_IDS[service]}`] ?? env.AWS_ENDPOINT_URL;
  }

  /** Close every socket the clients hold, so the process can exit promptly. */
  async destroy(): Promise<void> {
    const clients = await Promise.allSettled(this.cache.values());
    for (const result of clients) {
      if (result.status === 'fulfilled') (result.value as { destroy(): void }).destroy();
    }
    this.cache.clear();
    this.documentClientPromise = undefined;
  }

  private async create<S extends ServiceName>(service: S): Promise<ServiceClients[S]> {
    const { resolve } = this.options;
    this.resolved ??= resolve
      ? resolve().then((extra) => ({ ...this.options, ...extra }))
      : Promise.resolve(this.options);
    const resolved = await this.resolved;
    const { region, profile, endpoints, maxAttempts, onClient } = resolved;
    const env = this.options.env ?? process.env;
    if (profile && !profileExists(profile, env)) {
      const files = sharedFiles(env);
      throw new UsageError(
        `the AWS profile '${profile}' does not exist in ${files.config} or ${files.credentials}: create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`), pass another --profile or AWS_PROFILE — or try stockpipe offline: \`stockpipe demo\`, or any command with --target local`,
      );
    }
    // In-process runs with a test env reach the same endpoints a spawned CLI would.
    const endpoint = endpoints?.[service] ?? this.endpointFromEnv(service);
    const credentials = resolved.credentials ?? staticCredentials(env);
    const config: Record<string, unknown> = {
      maxAttempts: maxAttempts ?? 5,
      retryMode: 'standard',
      ...(region ? { region } : {}),
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
    if (service === 's3' && endpoint) {
      // Emulators serve buckets by path, not by virtual host.
      config.forcePathStyle = true;
    }
    if (service === 'kinesis') {
      // The SDK defaults Kinesis to HTTP/2, which emulators do not speak; PutRecords needs only HTTP/1.1.
      const { NodeHttpHandler } = await import('@smithy/node-http-handler');
      const { Agent } = await import('node:https');
      const { Agent: HttpAgent } = await import('node:http');
      config.requestHandler = new NodeHttpHandler({
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
        httpsAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
      });
    }
    const Client = (await LOADERS[service]()) as Constructor<ServiceClients[S]>;
    const client = new Client(config);
    onClient?.(service, client);
    return client;
  }
}

/** Keys given in the environment we were handed; undefined leaves the SDK's own chain in charge. */
function staticCredentials(env: Record<string, string | undefined>) {
  if (env === process.env || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}
