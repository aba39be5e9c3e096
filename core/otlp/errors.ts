// The one error the OTLP codecs throw for malformed input: permanent (never retried), answered by
// the receiver with 400 / INVALID_ARGUMENT and this message.
import { PermanentError } from '../component.ts';

export class OtlpDecodeError extends PermanentError {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}
