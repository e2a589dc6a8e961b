/**
 * Fixed identities of the local target, so names derived for it are as deterministic as on AWS.
 * Buckets use bucketNames(name, LOCAL_ACCOUNT, LOCAL_REGION).
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/**
 * The key of the bare emulators the tests and benchmarks start in-process (s3rver knows only this
 * pair; kinesalite and dynalite take any). The local stack itself answers only its own key
 * (credentials.ts).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** Everything the local target keeps lives under this folder of the working directory. */
export const LOCAL_STATE_DIR = '.stockpipe/local';

/** Starts the daemon's last log line when it fails: what follows is the reason a starter reports. */
export const START_FAILURE_MARK = 'local stack failed: ';
