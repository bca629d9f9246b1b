/**
 * Read a history JSON file (the Temporal CLI's `workflow show -o json` and the Web UI's download
 * format) into a History message for Worker.runReplayHistory.
 *
 * Why not the SDK's historyFromJSON: in this install @temporalio/common and @temporalio/proto each
 * carry their own copy of protobufjs 8, and historyFromJSON hands a Type from one copy to the protojson
 * of the other, which rejects it ("type must be a Type"). Parsing with the copy that owns the Temporal
 * protos avoids the mismatch; once npm dedupes the two copies, historyFromJSON would do the same.
 */
import path from 'node:path';

interface ProtoType {
  root: unknown;
}
interface ProtoJson {
  fromJson(type: ProtoType, json: unknown): unknown;
}
interface ProtoRoot {
  lookupType(name: string): ProtoType;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const root = require(path.join(protoDir, 'protos', 'json-module')) as ProtoRoot;
const historyType = root.lookupType('temporal.api.history.v1.History');

export function historyFromFile(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('not a Temporal history: expected an object with an array of events');
  }
  return protojson.fromJson(historyType, json);
}
