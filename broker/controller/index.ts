// broker/controller: every decision of the active controller (DESIGN §6). The decisions are pure:
// each takes the image (the committed one with the controller's own pending records applied) and
// returns the records to append and the answer to give once they commit. ActiveController runs them
// one at a time on the Raft leader; the controller operations are what forwarding carries.
export * from './controller-producer-ids.js';
export * from './placement.js';
export {
  acceptableLeaders, electLeader, electOfflinePartitions, reconcileOfflineReplicas, removeBrokersFromPartitions, type AcceptableLeader,
} from './partition-changes.js';
export { ActiveController, type ActiveControllerOptions, type ControllerObserver, type Decided, type Decision } from './active-controller.js';
export {
  decisionFor, FORWARDED_OPERATIONS, type ControllerOperation, type ControllerWrites, type DecisionContext,
  type AllocateProducerIdsWrite, type AlterConfigsWrite, type CreatePartitionsWrite, type CreateTopicsWrite, type DeleteTopicsWrite,
} from './controller-operations.js';
