// gRPC handlers of the Admin service: a thin mapping onto BrokerCore.
import type { ErrorCodeValue, wire } from '../../client/index.js';
import type { BrokerCore } from '../core/broker-core.js';
import { unary, type AdapterDeps } from './call-adapters.js';

export function adminHandlers(core: BrokerCore, deps: AdapterDeps): wire.AdminHandlers {
  return {
    CreateTopics: unary('CreateTopics', (req) => core.createTopics(req), deps),
    DeleteTopics: unary('DeleteTopics', (req) => core.deleteTopics(req), deps),
    CreatePartitions: unary('CreatePartitions', (req) => core.createPartitions(req), deps),
    DescribeConfigs: unary('DescribeConfigs', (req) => core.describeConfigs(req), deps),
    IncrementalAlterConfigs: unary('IncrementalAlterConfigs', (req) => core.incrementalAlterConfigs(req), deps),
    DescribeCluster: unary('DescribeCluster', () => core.describeCluster(), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, clusterId: '', controllerId: -1, brokers: [] })),
    ElectLeaders: unary('ElectLeaders', (req) => core.electLeaders(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, replicaElectionResults: [] })),
    AlterPartitionReassignments: unary('AlterPartitionReassignments', (req) => core.alterPartitionReassignments(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, responses: [] })),
    ListPartitionReassignments: unary('ListPartitionReassignments', (req) => core.listPartitionReassignments(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, topics: [] })),
    DescribeLogDirs: unary('DescribeLogDirs', (req) => core.describeLogDirs(req), deps,
      (code, message) => ({ errorCode: code as ErrorCodeValue, errorMessage: message, brokerId: -1, results: [] })),
  };
}
