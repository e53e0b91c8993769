import { performance } from 'node:perf_hooks';
import { TransactWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table';
async function main() {
  const dynamo = await startDynamoDbLocal();
  const c = createDynamoClients(localDynamoConfig(dynamo.endpoint));
  await ensureTable(c.client, 'tbl');
  const T = 'tbl';
  await c.document.send(new PutCommand({ TableName: T, Item: { pk: 'DIR#mentor', sk: 'm', available: true } }));
  const p50 = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
  const counter = (pk: string) => ({ Update: { TableName: T, Key: { pk, sk: 'C' }, UpdateExpression: 'SET #e = :e ADD #c :one', ConditionExpression: 'attribute_not_exists(#c) OR #c < :max', ExpressionAttributeNames: { '#c': 'count', '#e': 'entity' }, ExpressionAttributeValues: { ':e': 'counter', ':one': 1, ':max': 1000000 } } });
  const variants: Record<string, (i: number) => any[]> = {
    '2 puts': (i) => [{ Put: { TableName: T, Item: { pk: `A${i}`, sk: 'S' } } }, { Put: { TableName: T, Item: { pk: `A${i}`, sk: 'E' } } }],
    '2 puts, cond': (i) => [{ Put: { TableName: T, Item: { pk: `B${i}`, sk: 'S' }, ConditionExpression: 'attribute_not_exists(pk)' } }, { Put: { TableName: T, Item: { pk: `B${i}`, sk: 'E' }, ConditionExpression: 'attribute_not_exists(pk)' } }],
    '2 puts + 3 counters (distinct)': (i) => [{ Put: { TableName: T, Item: { pk: `C${i}`, sk: 'S' } } }, { Put: { TableName: T, Item: { pk: `C${i}`, sk: 'E' } } }, counter(`J${i}`), counter(`M${i}`), counter(`X${i}`)],
    '2 puts + system counter': (i) => [{ Put: { TableName: T, Item: { pk: `D${i}`, sk: 'S' } } }, { Put: { TableName: T, Item: { pk: `D${i}`, sk: 'E' } } }, counter('SYSTEM')],
    '2 puts + check': (i) => [{ Put: { TableName: T, Item: { pk: `E${i}`, sk: 'S' } } }, { Put: { TableName: T, Item: { pk: `E${i}`, sk: 'E' } } }, { ConditionCheck: { TableName: T, Key: { pk: 'DIR#mentor', sk: 'm' }, ConditionExpression: 'available = :y', ExpressionAttributeValues: { ':y': true } } }],
    '2 puts with GSI attrs': (i) => [{ Put: { TableName: T, Item: { pk: `F${i}`, sk: 'S', openPk: 'OPEN', openSk: `x${i}`, duePk: 'DUE', dueSk: `y${i}` } } }, { Put: { TableName: T, Item: { pk: `F${i}`, sk: 'E' } } }],
    '7 puts': (i) => Array.from({ length: 7 }, (_, k) => ({ Put: { TableName: T, Item: { pk: `G${i}`, sk: `S${k}` } } })),
  };
  for (let round = 0; round < 2; round++)
  for (const [name, make] of Object.entries(variants)) {
    const lat: number[] = [];
    for (let i = 0; i < 200; i++) { const t0 = performance.now(); await c.document.send(new TransactWriteCommand({ TransactItems: make(i + round * 1000) })); lat.push(performance.now() - t0); }
    console.log(round, name.padEnd(34), p50(lat));
  }
  await dynamo.stop();
}
main();
