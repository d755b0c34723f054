/** A Logger that keeps the warnings it is given, for assertions on upstream-failure lines. */
import type { LogFields, Logger } from '../../src/application/ports.js';

export class RecordingLogger implements Logger {
  readonly warnings: { message: string; fields: LogFields | undefined }[] = [];
  debug() {}
  info() {}
  warn(message: string, fields?: LogFields) {
    this.warnings.push({ message, fields });
  }
  error() {}
}
