// The broker's protocol-agnostic face: typed request in, typed response out. The gRPC adapter in
// broker/rpc/ calls this, and so could a Kafka-wire listener later.
import type { CreatePartitionsRequest__Output } from '../../client/wire/generated/strait/v1/CreatePartitionsRequest.js';
import type { CreatePartitionsResponse } from '../../client/wire/generated/strait/v1/CreatePartitionsResponse.js';
import type { CreateTopicsRequest__Output } from '../../client/wire/generated/strait/v1/CreateTopicsRequest.js';
import type { CreateTopicsResponse } from '../../client/wire/generated/strait/v1/CreateTopicsResponse.js';
import type { DeleteTopicsRequest__Output } from '../../client/wire/generated/strait/v1/DeleteTopicsRequest.js';
import type { DeleteTopicsResponse } from '../../client/wire/generated/strait/v1/DeleteTopicsResponse.js';
import type { DescribeClusterResponse } from '../../client/wire/generated/strait/v1/DescribeClusterResponse.js';
import type { DescribeConfigsRequest__Output } from '../../client/wire/generated/strait/v1/DescribeConfigsRequest.js';
import type { DescribeConfigsResponse } from '../../client/wire/generated/strait/v1/DescribeConfigsResponse.js';
import type { FetchRequest__Output } from '../../client/wire/generated/strait/v1/FetchRequest.js';
import type { FetchResponse } from '../../client/wire/generated/strait/v1/FetchResponse.js';
import type { IncrementalAlterConfigsRequest__Output } from '../../client/wire/generated/strait/v1/IncrementalAlterConfigsRequest.js';
import type { IncrementalAlterConfigsResponse } from '../../client/wire/generated/strait/v1/IncrementalAlterConfigsResponse.js';
import type { InitProducerIdRequest__Output } from '../../client/wire/generated/strait/v1/InitProducerIdRequest.js';
import type { InitProducerIdResponse } from '../../client/wire/generated/strait/v1/InitProducerIdResponse.js';
import type { ListOffsetsRequest__Output } from '../../client/wire/generated/strait/v1/ListOffsetsRequest.js';
import type { ListOffsetsResponse } from '../../client/wire/generated/strait/v1/ListOffsetsResponse.js';
import type { MetadataRequest__Output } from '../../client/wire/generated/strait/v1/MetadataRequest.js';
import type { MetadataResponse } from '../../client/wire/generated/strait/v1/MetadataResponse.js';
import type { ProduceRequest__Output } from '../../client/wire/generated/strait/v1/ProduceRequest.js';
import type { ProduceResponse } from '../../client/wire/generated/strait/v1/ProduceResponse.js';
import type { BrokerContext } from './broker-context.js';
import { handleDescribeConfigs, handleIncrementalAlterConfigs } from './config-handlers.js';
import { handleFetch } from './fetch-handler.js';
import { handleInitProducerId } from './init-producer-id-handler.js';
import { handleListOffsets } from './list-offsets-handler.js';
import { handleDescribeCluster, handleMetadata } from './metadata-handler.js';
import { handleProduce } from './produce-handler.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './topic-admin-handlers.js';

export class BrokerCore {
  constructor(readonly ctx: BrokerContext) {}

  produce(req: ProduceRequest__Output): Promise<ProduceResponse> {
    return handleProduce(this.ctx, req);
  }

  fetch(req: FetchRequest__Output, signal?: AbortSignal): Promise<FetchResponse> {
    return handleFetch(this.ctx, req, signal);
  }

  metadata(req: MetadataRequest__Output): Promise<MetadataResponse> {
    return handleMetadata(this.ctx, req);
  }

  async listOffsets(req: ListOffsetsRequest__Output): Promise<ListOffsetsResponse> {
    return handleListOffsets(this.ctx, req);
  }

  async initProducerId(req: InitProducerIdRequest__Output): Promise<InitProducerIdResponse> {
    return handleInitProducerId(this.ctx, req);
  }

  createTopics(req: CreateTopicsRequest__Output): Promise<CreateTopicsResponse> {
    return handleCreateTopics(this.ctx, req);
  }

  deleteTopics(req: DeleteTopicsRequest__Output): Promise<DeleteTopicsResponse> {
    return handleDeleteTopics(this.ctx, req);
  }

  createPartitions(req: CreatePartitionsRequest__Output): Promise<CreatePartitionsResponse> {
    return handleCreatePartitions(this.ctx, req);
  }

  async describeConfigs(req: DescribeConfigsRequest__Output): Promise<DescribeConfigsResponse> {
    return handleDescribeConfigs(this.ctx, req);
  }

  incrementalAlterConfigs(req: IncrementalAlterConfigsRequest__Output): Promise<IncrementalAlterConfigsResponse> {
    return handleIncrementalAlterConfigs(this.ctx, req);
  }

  async describeCluster(): Promise<DescribeClusterResponse> {
    return handleDescribeCluster(this.ctx);
  }

  /** Answers every parked fetch now (shutdown). */
  releaseWaitingFetches(): void {
    this.ctx.purgatory.expireAll();
  }
}
