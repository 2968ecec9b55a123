// The broker's protocol-agnostic face: typed request in, typed response out. The gRPC adapter in
// broker/rpc/ calls this, and so could a Kafka-wire listener later.
import type { wire } from '../../client/index.js';
import type { GroupStreamSink, MemberStream } from '../groups/index.js';
import type { EncodedReplicaFetchResponse } from '../replication/index.js';
import type { BrokerContext } from './broker-context.js';
import { handleDescribeConfigs, handleIncrementalAlterConfigs } from './config-handlers.js';
import { handleFetch, type FetchAnswer } from './fetch-handler.js';
import { handleInitProducerId } from './init-producer-id-handler.js';
import { handleListOffsets } from './list-offsets-handler.js';
import { handleDescribeLogDirs } from './log-dirs-handler.js';
import { handleDescribeCluster, handleMetadata } from './metadata-handler.js';
import { handleProduce } from './produce-handler.js';
import { handleAlterPartitionReassignments, handleElectLeaders, handleListPartitionReassignments } from './replication-admin-handlers.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './topic-admin-handlers.js';

export class BrokerCore {
  constructor(readonly ctx: BrokerContext) {}

  produce(req: wire.ProduceRequest__Output): Promise<wire.ProduceResponse> {
    return handleProduce(this.ctx, req);
  }

  fetch(req: wire.FetchRequest__Output, signal?: AbortSignal): Promise<FetchAnswer> {
    return handleFetch(this.ctx, req, signal);
  }

  metadata(req: wire.MetadataRequest__Output): Promise<wire.MetadataResponse> {
    return handleMetadata(this.ctx, req);
  }

  async listOffsets(req: wire.ListOffsetsRequest__Output): Promise<wire.ListOffsetsResponse> {
    return handleListOffsets(this.ctx, req);
  }

  async initProducerId(req: wire.InitProducerIdRequest__Output): Promise<wire.InitProducerIdResponse> {
    return handleInitProducerId(this.ctx, req);
  }

  createTopics(req: wire.CreateTopicsRequest__Output): Promise<wire.CreateTopicsResponse> {
    return handleCreateTopics(this.ctx, req);
  }

  deleteTopics(req: wire.DeleteTopicsRequest__Output): Promise<wire.DeleteTopicsResponse> {
    return handleDeleteTopics(this.ctx, req);
  }

  createPartitions(req: wire.CreatePartitionsRequest__Output): Promise<wire.CreatePartitionsResponse> {
    return handleCreatePartitions(this.ctx, req);
  }

  async describeConfigs(req: wire.DescribeConfigsRequest__Output): Promise<wire.DescribeConfigsResponse> {
    return handleDescribeConfigs(this.ctx, req);
  }

  incrementalAlterConfigs(req: wire.IncrementalAlterConfigsRequest__Output): Promise<wire.IncrementalAlterConfigsResponse> {
    return handleIncrementalAlterConfigs(this.ctx, req);
  }

  async describeCluster(): Promise<wire.DescribeClusterResponse> {
    return handleDescribeCluster(this.ctx);
  }

  electLeaders(req: wire.ElectLeadersRequest__Output): Promise<wire.ElectLeadersResponse> {
    return handleElectLeaders(this.ctx, req);
  }

  alterPartitionReassignments(req: wire.AlterPartitionReassignmentsRequest__Output): Promise<wire.AlterPartitionReassignmentsResponse> {
    return handleAlterPartitionReassignments(this.ctx, req);
  }

  async listPartitionReassignments(req: wire.ListPartitionReassignmentsRequest__Output): Promise<wire.ListPartitionReassignmentsResponse> {
    return handleListPartitionReassignments(this.ctx, req);
  }

  async describeLogDirs(req: wire.DescribeLogDirsRequest__Output): Promise<wire.DescribeLogDirsResponse> {
    return handleDescribeLogDirs(this.ctx, req);
  }

  // Consumer groups: the coordinator answers (broker/groups/).

  findCoordinator(req: wire.FindCoordinatorRequest__Output): Promise<wire.FindCoordinatorResponse> {
    return this.ctx.groups.findCoordinator(req);
  }

  /** A member's GroupStream: its messages go to the returned stream, its answers to the sink. */
  openGroupStream(sink: GroupStreamSink): MemberStream {
    return this.ctx.groups.openStream(sink);
  }

  offsetCommit(req: wire.OffsetCommitRequest__Output): Promise<wire.OffsetCommitResponse> {
    return this.ctx.groups.offsetCommit(req);
  }

  offsetFetch(req: wire.OffsetFetchRequest__Output): Promise<wire.OffsetFetchResponse> {
    return this.ctx.groups.offsetFetch(req);
  }

  offsetDelete(req: wire.OffsetDeleteRequest__Output): Promise<wire.OffsetDeleteResponse> {
    return this.ctx.groups.offsetDelete(req);
  }

  describeGroups(req: wire.DescribeGroupsRequest__Output): Promise<wire.DescribeGroupsResponse> {
    return this.ctx.groups.describeGroups(req);
  }

  deleteGroups(req: wire.DeleteGroupsRequest__Output): Promise<wire.DeleteGroupsResponse> {
    return this.ctx.groups.deleteGroups(req);
  }

  listGroups(req: wire.ListGroupsRequest__Output): Promise<wire.ListGroupsResponse> {
    return this.ctx.groups.listGroups(req);
  }

  /** Answers every parked fetch now, consumers' and followers' (shutdown). */
  releaseWaitingFetches(): void {
    this.ctx.purgatory.expireAll();
    this.ctx.replicas.releaseWaitingFetches();
  }

  /** The leader's side of a follower's fetch (the Replica service). */
  replicaFetch(req: wire.ReplicaFetchRequest__Output, signal?: AbortSignal): Promise<EncodedReplicaFetchResponse> {
    return this.ctx.replicas.replicaFetch(req, signal);
  }
}
