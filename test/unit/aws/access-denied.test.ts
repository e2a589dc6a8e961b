/** A refused call says so in one line, and where to find the permissions stockpipe needs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAwsError } from '../../../src/aws/errors.ts';

describe('AccessDenied, described', () => {
  it("keeps AWS's own message (it names the action and the resource)", () => {
    const message =
      'User: arn:aws:iam::111122223333:user/me is not authorized to perform: kinesis:DescribeStream on resource: arn:aws:kinesis:eu-west-1:111122223333:stream/demo-stream';
    const line = describeAwsError(
      Object.assign(new Error(message), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
    );
    assert.equal(
      line,
      `AWS denied the request: ${message}. Check that your identity's IAM policy allows it: \`stockpipe policy deploy\` (setup, cleanup) and \`stockpipe policy use\` print what stockpipe needs.`,
    );
  });

  it('a 403 whose body the SDK could not read says 403, not the parser’s complaint', () => {
    const line = describeAwsError(
      Object.assign(new Error('Unexpected token \'<\', "<?xml vers"... is not valid JSON'), {
        name: 'SyntaxError',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    assert.match(line ?? '', /^AWS denied the request: HTTP 403\. /);
  });
});
