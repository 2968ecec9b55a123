// One member's GroupStream to its coordinator: joins, heartbeats and the leave go up, the
// coordinator's answers (member id and epoch, heartbeat interval, assignments, errors) come down. A
// failed or ended stream is reported once; close() cancels it without a report.
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { ErrorCode, StraitError } from '../errors.js';
import { fromTransportError } from '../cluster/grpc-errors.js';
import type { GroupsClient } from '../wire/generated/strait/v1/Groups.js';
import type { GroupRequest } from '../wire/generated/strait/v1/GroupRequest.js';
import type { GroupResponse__Output } from '../wire/generated/strait/v1/GroupResponse.js';

export interface GroupStreamEvents {
  onResponse(res: GroupResponse__Output): void;
  /** The stream failed or the coordinator ended it. */
  onClosed(err: StraitError): void;
}

export class GroupStreamConnection {
  readonly address: string;
  private stream: ClientDuplexStream<GroupRequest, GroupResponse__Output> | undefined;

  constructor(client: GroupsClient, address: string, events: GroupStreamEvents) {
    this.address = address;
    const stream = client.GroupStream();
    this.stream = stream;
    const closed = (err: StraitError): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      events.onClosed(err);
    };
    stream.on('data', (res: GroupResponse__Output) => {
      if (this.stream === stream) events.onResponse(res);
    });
    stream.on('error', (err: unknown) => closed(fromTransportError(err, address)));
    stream.on('end', () => closed(new StraitError(ErrorCode.NETWORK_EXCEPTION, `group stream to ${address} ended`)));
  }

  get open(): boolean {
    return this.stream !== undefined;
  }

  send(request: GroupRequest): void {
    this.stream?.write(request);
  }

  /** Half-closes the stream (after a leave): the coordinator's answers still arrive until it ends. */
  end(): void {
    this.stream?.end();
  }

  /** Cancels the stream; no event follows. */
  close(): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
  }
}
