// A mirror config file that cannot be used: an invalid value, a flow naming an undeclared cluster, a
// cluster without bootstrap servers, a bad regex, A->A, a setting Strait refuses. It always names the
// file, the line (0 when the problem is a key the file does not have) and the key, so that
// `strait mirror` stops at start-up with one line the operator can act on.
import { ConfigError } from '../../client/index.js';

export class MirrorConfigError extends ConfigError {
  declare readonly file: string;
  declare readonly key: string;
  declare readonly line: number;

  constructor(problem: string, where: { file: string; key: string; line: number }) {
    super(problem, where);
    this.name = 'MirrorConfigError';
  }
}
