/**
 * Turns AWS SDK failures into one line that says what to do. Matches on error names and codes
 * only, so importing this module loads no SDK code.
 */

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'CredentialsError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const EXPIRED_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);

/** Both first errors a new user meets end by pointing at what works with no AWS account at all. */
const TRY_OFFLINE = 'or try stockpipe offline: `stockpipe demo`, or any command with --target local';

const FIX_CREDENTIALS = `configure credentials with \`aws configure\` or \`aws sso login\`, set AWS_PROFILE or pass --profile — ${TRY_OFFLINE}`;

/** A one-line explanation for a known AWS failure, or undefined when the error is not one. */
export function describeAwsError(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsLikeError;
  const name = e.name ?? '';
  const message = e.message ?? '';
  if (CREDENTIAL_ERRORS.has(name) || /Could not load credentials/i.test(message)) {
    return `No usable AWS credentials (${firstLine(message) || name}): ${FIX_CREDENTIALS}.`;
  }
  if (EXPIRED_ERRORS.has(name)) {
    return `Your AWS session has expired: run \`aws sso login\` (or refresh your credentials) and try again.`;
  }
  if (/Region is missing/i.test(message)) {
    return `No AWS region configured: pass --region, set AWS_REGION, or set a region in your AWS profile — ${TRY_OFFLINE}.`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || e.$metadata?.httpStatusCode === 403) {
    // A body the SDK could not read (an emulator answering XML to a JSON client) says nothing.
    const unreadable = /^Unexpected token|Deserialization error/.test(message);
    const said = unreadable ? `HTTP ${e.$metadata?.httpStatusCode ?? 403}` : firstLine(message) || name;
    return `AWS denied the request: ${said}. Check that your identity's IAM policy allows it: \`stockpipe policy deploy\` (setup, cleanup) and \`stockpipe policy use\` print what stockpipe needs.`;
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || name === 'TimeoutError') {
    return `Cannot reach the AWS endpoint (${e.code ?? name}): check your network, or AWS_ENDPOINT_URL if you set one.`;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
