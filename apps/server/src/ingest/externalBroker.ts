/**
 * Ingest from an external MQTT broker (MQTT_URL). Several ingest processes join one MQTT 5 shared
 * subscription, so the broker splits the stream between them. Each message is acknowledged only
 * after its batch committed; the session is persistent, so a crash before the PUBACK means the broker
 * delivers the message again, and the pipeline stores it once.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { TOPIC_PATTERN } from '@poscare/contracts';
import type { DeviceService } from '../devices/service.js';
import type { IngestPipeline } from './pipeline.js';

export const SHARED_GROUP = 'poscare-ingest';
export const INGEST_FILTER = 'poscare/v1/+/+/+';

/**
 * mqtt.js handles a connection's QoS 1 messages one at a time when the PUBACK waits for our commit,
 * so one connection carries one message per batch. Several connections in the same shared group let
 * a batch gather one message from each; throughput grows with their number.
 */
export async function startExternalIngest(opts: {
  url: string;
  clientId: string;
  connections?: number;
  devices: DeviceService;
  pipeline: IngestPipeline;
  log: Logger;
  /** Tests use a group of their own so they do not compete with other ingest processes on the broker. */
  group?: string;
}): Promise<{ clients: MqttClient[]; close(): Promise<void> }> {
  const n = opts.connections ?? 8;
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => connectOne({ ...opts, clientId: n === 1 ? opts.clientId : `${opts.clientId}-${i}` })));
  opts.log.info({ url: opts.url.replace(/\/\/[^@]*@/, '//***@'), group: opts.group ?? SHARED_GROUP, connections: n }, 'ingesting from external MQTT broker');
  return {
    clients,
    close: async () => {
      await opts.pipeline.flush();
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

async function connectOne(opts: { url: string; clientId: string; devices: DeviceService; pipeline: IngestPipeline; log: Logger; group?: string | undefined }): Promise<MqttClient> {
  const { devices, pipeline, log } = opts;
  const client = mqtt.connect(opts.url, {
    protocolVersion: 5,
    clientId: opts.clientId,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 1000,
    customHandleAcks: (topic, message, _packet, done) => {
      try {
        handle(topic, message, done);
      } catch (err) {
        // A defect in handling one message must not stop the stream (nor, re-delivered, block it): refused and acknowledged.
        log.error({ err, topic }, 'handling an MQTT message failed; the message is refused');
        pipeline.refuse({ channel: 'mqtt', orgId: null, terminalId: null, topic }, 'invalid', 'could not be handled', message.length, null);
        done(0);
      }
    },
  });
  function handle(topic: string, message: Buffer, done: (code: number) => void) {
    const m = TOPIC_PATTERN.exec(topic);
    if (!m || m[3] === 'cmd') {
      if (m?.[3] !== 'cmd') pipeline.refuse({ channel: 'mqtt', orgId: null, terminalId: null, topic }, 'wrong_topic', 'not a device topic', message.length, null);
      return done(0);
    }
    const [, orgId, terminalId] = m as unknown as [string, string, string];
    devices
      .checkTopicIdentity(orgId, terminalId)
      .then((r) => {
        if (!r.ok) {
          pipeline.refuse({ channel: 'mqtt', orgId, terminalId, topic }, r.reason, null, message.length, null);
          return;
        }
        return pipeline.submit({ channel: 'mqtt', orgId, terminalId, topic }, message).then(() => undefined);
      })
      .then(() => done(0))
      // Not stored: no PUBACK, so the broker keeps the message for this session and re-delivers it.
      .catch((err: unknown) => log.error({ err, topic }, 'message not stored; left unacknowledged for re-delivery'));
  }
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const filter = `$share/${opts.group ?? SHARED_GROUP}/${INGEST_FILTER}`;
  await client.subscribeAsync(filter, { qos: 1 });
  return client;
}
