// Listeners and their security, checked as Kafka's KafkaConfig checks them (listeners,
// advertised.listeners, listener.security.protocol.map, controller.listener.names,
// inter.broker.listener.name, security.inter.broker.protocol), with Strait's one limit: there is no TLS
// and no SASL, so every listener this node binds or names must be PLAINTEXT. A security setting we
// cannot honour stops start-up, naming the key: serving plaintext where TLS was asked for, or ignoring
// an authorizer, is worse than refusing to start.
//
// What is bound: a node has one gRPC server (DESIGN §3), bound on every address of `listeners`, each
// serving every service (Broker, Admin, Quorum). Kafka's KRaft shape
// `listeners=PLAINTEXT://:9092,CONTROLLER://:9093` with `controller.quorum.voters=1@host:9093` therefore
// works as written: peers reach the quorum on 9093 and clients use 9092. The primary listener, the
// one clients are told about and the broker registers with, is inter.broker.listener.name, else the
// first listener that is not a controller listener (on a controller-only node, its first listener); the
// advertised.listeners entry of the same name, else the listener itself, is its address.
import { ConfigError, NO_TLS_OR_SASL, type ConfigErrorLocation } from '../../client/index.js';

export interface ListenerAddress {
  /** Upper case, as Kafka normalises listener names. */
  name: string;
  host: string;
  port: number;
}

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface ListenerSettings {
  /** Every listener of `listeners`, in order; all are bound. */
  listeners: ListenerAddress[];
  /** The listener clients and the controller are told about. */
  primary: ListenerAddress;
  /** The primary listener's advertised address. */
  advertised: ListenerAddress;
  /** controller.listener.names, upper case; empty when not set. */
  controllerListenerNames: string[];
}

/** How the listener checks see the file: values as set (undefined when absent) and where each is. */
export interface ConfigView {
  explicit(key: string): string | undefined;
  value(key: string): string;
  where(key: string): ConfigErrorLocation;
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** Parses `NAME://host:port`; an empty host means all interfaces. */
export function parseListener(uri: string): ListenerAddress | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(uri.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { name: m[1]!.toUpperCase(), host: host === '' ? '0.0.0.0' : host, port };
}

function parseListenerList(view: ConfigView, key: string, text: string): ListenerAddress[] {
  const fail = (problem: string): never => {
    throw new ConfigError(problem, view.where(key));
  };
  const items = list(text);
  if (items.length === 0) fail('names no listener; expected NAME://host:port,...');
  const out: ListenerAddress[] = [];
  for (const item of items) {
    const parsed = parseListener(item);
    if (!parsed) return fail(`"${item}" is not a listener like PLAINTEXT://127.0.0.1:9092`);
    if (out.some((l) => l.name === parsed.name)) fail(`listener name ${parsed.name} appears twice`);
    if (key === 'listeners' && parsed.port !== 0 && out.some((l) => l.port === parsed.port)) fail(`port ${parsed.port} is used by two listeners`);
    out.push(parsed);
  }
  return out;
}

function parseProtocolMap(view: ConfigView, text: string): Map<string, SecurityProtocol> {
  const key = 'listener.security.protocol.map';
  const map = new Map<string, SecurityProtocol>();
  for (const item of list(text)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z_]+)$/.exec(item);
    if (!m) throw new ConfigError(`"${item}" is not NAME:PROTOCOL`, view.where(key));
    const name = m[1]!.toUpperCase();
    const protocol = SECURITY_PROTOCOLS.find((p) => p === m[2]!.toUpperCase());
    if (!protocol) throw new ConfigError(`"${item}": ${m[2]} is not one of ${SECURITY_PROTOCOLS.join(', ')}`, view.where(key));
    if (map.has(name)) throw new ConfigError(`listener name ${name} appears twice`, view.where(key));
    map.set(name, protocol);
  }
  return map;
}

/** Checks the listener and security keys against each other and the node's roles. */
export function parseListenerSettings(view: ConfigView, roles: readonly string[]): ListenerSettings {
  const isBroker = roles.includes('broker');
  const isController = roles.includes('controller');
  const listeners = parseListenerList(view, 'listeners', view.value('listeners'));
  const controllerListenerNames = list(view.explicit('controller.listener.names') ?? '').map((n) => n.toUpperCase());
  const isControllerListener = (name: string): boolean => controllerListenerNames.includes(name);

  // Kafka's default map names each protocol after itself; in KRaft mode, with no map given, the
  // controller listeners are PLAINTEXT (an SSL or SASL name is refused below anyway).
  const explicitMap = view.explicit('listener.security.protocol.map');
  const protocols = explicitMap !== undefined ? parseProtocolMap(view, explicitMap) : new Map<string, SecurityProtocol>(SECURITY_PROTOCOLS.map((p) => [p, p]));
  if (explicitMap === undefined) for (const name of controllerListenerNames) if (!protocols.has(name)) protocols.set(name, 'PLAINTEXT');
  // A map entry for a name no listener uses is harmless (Kafka's sample files list SSL:SSL, ...).
  const requirePlaintext = (name: string, key: string): void => {
    const protocol = protocols.get(name);
    if (protocol === undefined) {
      throw new ConfigError(`listener ${name} has no security protocol: add ${name}:PLAINTEXT to listener.security.protocol.map`, view.where(key));
    }
    if (protocol !== 'PLAINTEXT') {
      const mapLine = view.where('listener.security.protocol.map').line;
      const how = explicitMap === undefined ? '' : ` in listener.security.protocol.map${mapLine ? ` (line ${mapLine})` : ''}`;
      throw new ConfigError(`listener ${name} is ${protocol}${how}, which is not implemented (${NO_TLS_OR_SASL})`, view.where(key));
    }
  };
  for (const l of listeners) requirePlaintext(l.name, 'listeners');

  let advertisedList: ListenerAddress[] = [];
  const advertisedText = view.explicit('advertised.listeners');
  if (advertisedText !== undefined) {
    advertisedList = parseListenerList(view, 'advertised.listeners', advertisedText);
    for (const a of advertisedList) {
      if (!listeners.some((l) => l.name === a.name)) {
        throw new ConfigError(`listener ${a.name} is not in listeners (${listeners.map((l) => l.name).join(', ')})`, view.where('advertised.listeners'));
      }
    }
  }

  for (const name of controllerListenerNames) requirePlaintext(name, 'controller.listener.names');
  if (controllerListenerNames.length > 0) {
    const bound = listeners.filter((l) => isControllerListener(l.name));
    if (isController && bound.length === 0) {
      throw new ConfigError(`a controller needs one of ${controllerListenerNames.join(', ')} in listeners`, view.where('controller.listener.names'));
    }
    if (!isController && bound.length > 0) {
      throw new ConfigError(`listener ${bound[0]!.name} is a controller listener, but process.roles=broker`, view.where('listeners'));
    }
    const other = listeners.find((l) => !isControllerListener(l.name));
    if (!isBroker && other) {
      throw new ConfigError(`listener ${other.name} is not in controller.listener.names, but process.roles=controller`, view.where('listeners'));
    }
  }

  const interBrokerName = view.explicit('inter.broker.listener.name')?.trim().toUpperCase();
  const interBrokerProtocol = view.explicit('security.inter.broker.protocol')?.trim();
  if (interBrokerProtocol !== undefined) {
    if (interBrokerName !== undefined) {
      throw new ConfigError('only one of inter.broker.listener.name and security.inter.broker.protocol may be set', view.where('security.inter.broker.protocol'));
    }
    if (interBrokerProtocol.toUpperCase() !== 'PLAINTEXT') {
      throw new ConfigError(`"${interBrokerProtocol}" is not implemented (${NO_TLS_OR_SASL})`, view.where('security.inter.broker.protocol'));
    }
  }
  if (interBrokerName !== undefined) {
    requirePlaintext(interBrokerName, 'inter.broker.listener.name');
    if (isControllerListener(interBrokerName)) {
      throw new ConfigError(`${interBrokerName} is a controller listener`, view.where('inter.broker.listener.name'));
    }
    if (isBroker && !listeners.some((l) => l.name === interBrokerName)) {
      throw new ConfigError(`${interBrokerName} is not in listeners (${listeners.map((l) => l.name).join(', ')})`, view.where('inter.broker.listener.name'));
    }
  }

  const primary = isBroker
    ? listeners.find((l) => (interBrokerName !== undefined ? l.name === interBrokerName : !isControllerListener(l.name)))
    : listeners[0];
  if (!primary) throw new ConfigError('a broker needs a listener that is not in controller.listener.names', view.where('listeners'));
  const advertised = advertisedList.find((a) => a.name === primary.name) ?? primary;
  return { listeners, primary, advertised, controllerListenerNames };
}
