// gRPC handlers of the Groups service (consumer groups, DESIGN §8): a thin mapping onto BrokerCore,
// on the same call adapters as the other services. GroupStream is a session stream: the member's
// messages go to its MemberStream, which answers and pushes on its own.
import type { ErrorCodeValue, wire } from '../../client/index.js';
import type { BrokerCore } from '../core/broker-core.js';
import { sessionStream, unary, type AdapterDeps } from './call-adapters.js';

const groupStreamError = (code: number, message: string): wire.GroupResponse => ({
  errorCode: code as ErrorCodeValue, errorMessage: message, memberId: '', memberEpoch: -1, heartbeatIntervalMs: 0, hasAssignment: false, assignment: [], groupEpoch: 0,
});

export function groupsHandlers(core: BrokerCore, deps: AdapterDeps): wire.GroupsHandlers {
  return {
    FindCoordinator: unary('FindCoordinator', (req) => core.findCoordinator(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, nodeId: -1, host: '', port: -1 })),
    GroupStream: sessionStream<wire.GroupRequest__Output, wire.GroupResponse>('GroupStream', (sink) => core.openGroupStream(sink), deps, groupStreamError),
    OffsetCommit: unary('OffsetCommit', (req) => core.offsetCommit(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, topics: [] })),
    OffsetFetch: unary('OffsetFetch', (req) => core.offsetFetch(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, topics: [] })),
    OffsetDelete: unary('OffsetDelete', (req) => core.offsetDelete(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, topics: [] })),
    DescribeGroups: unary('DescribeGroups', (req) => core.describeGroups(req), deps),
    DeleteGroups: unary('DeleteGroups', (req) => core.deleteGroups(req), deps),
    ListGroups: unary('ListGroups', (req) => core.listGroups(req), deps,
      (code) => ({ errorCode: code as ErrorCodeValue, groups: [] })),
  };
}
