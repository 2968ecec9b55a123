// SDK clients of a mirror config's clusters for the one-shot commands (status, failover): one admin
// per cluster alias with the file's `<alias>.admin.*` options, consumer options from
// `<alias>.consumer.*`, and a deadline of their own so that a cluster that is down answers with an
// error in seconds rather than after the mirror's admin.timeout.ms.
import { Admin, type AdminOptions, type ConsumerOptions } from '../client/index.js';
import type { MirrorConfig } from './config/mirror-config.js';

export class ClusterClients {
  private readonly admins = new Map<string, Admin>();

  constructor(private readonly config: MirrorConfig, private readonly timeoutMs: number) {}

  admin(alias: string): Admin {
    let admin = this.admins.get(alias);
    if (!admin) {
      const settings = this.settings(alias);
      const options: AdminOptions = {
        ...settings.admin,
        'bootstrap.servers': settings.admin['bootstrap.servers'] ?? settings.bootstrapServers,
        'default.api.timeout.ms': this.timeoutMs,
        'request.timeout.ms': Math.min(this.timeoutMs, 5000),
      };
      admin = new Admin(options);
      this.admins.set(alias, admin);
    }
    return admin;
  }

  consumerOptions(alias: string): ConsumerOptions {
    const settings = this.settings(alias);
    return { ...settings.consumer, 'bootstrap.servers': settings.consumer['bootstrap.servers'] ?? settings.bootstrapServers, 'request.timeout.ms': Math.max(this.timeoutMs, 1000) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.admins.values()].map((a) => a.close()));
    this.admins.clear();
  }

  private settings(alias: string) {
    const settings = this.config.clusterSettings[alias];
    if (!settings) throw new Error(`cluster ${alias} is not in ${this.config.file}`);
    return settings;
  }
}
