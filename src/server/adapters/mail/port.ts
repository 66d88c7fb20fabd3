/**
 * The e-mail port. Use cases never talk to a mail server; they enqueue an outbox row (channel 'email'),
 * and the outbox worker hands it to a MailSender after commit. Two adapters speak SMTP (smtp.ts): to the
 * CA's mail server in production, and to the sandbox SMTP server of our own (sandbox-server.ts) elsewhere.
 */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  attachments?: MailAttachment[];
}

export interface MailSender {
  readonly name: string;
  /** Hands the message to the mail server; resolves with its Message-ID once the server accepted it. */
  send(msg: MailMessage): Promise<{ providerMessageId: string }>;
}

/** A sender that owns a resource (the sandbox server) and must be closed with the app. */
export interface ClosableMailSender extends MailSender {
  close(): Promise<void>;
}

/** A failure the worker may retry (connection, 4xx, authentication) vs one it must not (5xx: address refused). */
export class MailError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
