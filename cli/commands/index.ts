// Every `strait` command, in the order `strait --help` lists them.
import type { CliCommand } from '../command.js';
import { brokerCommand } from './broker.js';
import { clusterCommand } from './cluster.js';
import { configsCommand } from './configs.js';
import { consumeCommand } from './consume.js';
import { consumerGroupsCommand } from './consumer-groups.js';
import { demoCommand } from './demo.js';
import { leaderElectionCommand } from './leader-election.js';
import { logDirsCommand } from './log-dirs.js';
import { mirrorCommand } from './mirror.js';
import { produceCommand } from './produce.js';
import { reassignPartitionsCommand } from './reassign-partitions.js';
import { storageCommand } from './storage.js';
import { topicsCommand } from './topics.js';

export const COMMANDS: readonly CliCommand[] = [
  brokerCommand, topicsCommand, produceCommand, consumeCommand, consumerGroupsCommand, configsCommand, clusterCommand, storageCommand, demoCommand,
  leaderElectionCommand, reassignPartitionsCommand, logDirsCommand, mirrorCommand,
];
