import { InvalidInput } from '../../../common/src';
import { parseThroughputQuery } from './import-stats.service';

describe('parseThroughputQuery', () => {
  it('defaults to five minutes in about 60 buckets and rounds the window up to whole buckets', () => {
    expect(parseThroughputQuery({})).toEqual({ windowSeconds: 300, bucketSeconds: 5 });
    expect(parseThroughputQuery({ window: '60' })).toEqual({ windowSeconds: 60, bucketSeconds: 1 });
    expect(parseThroughputQuery({ window: '3600' })).toEqual({ windowSeconds: 3600, bucketSeconds: 60 });
    expect(parseThroughputQuery({ window: '65', bucket: '10' })).toEqual({ windowSeconds: 70, bucketSeconds: 10 });
    expect(parseThroughputQuery({ window: '600', bucket: '1' })).toEqual({ windowSeconds: 600, bucketSeconds: 1 });
  });

  it.each([
    [{ window: '9' }],
    [{ window: '3601' }],
    [{ window: '-60' }],
    [{ window: '60s' }],
    [{ window: ['60', '70'] }],
    [{ bucket: '0' }],
    [{ bucket: '301' }],
    [{ window: '60', bucket: '61' }],
    [{ window: '601', bucket: '1' }],
    [{ window: '9'.repeat(20) }],
  ])('rejects %j with InvalidInput', (query) => {
    expect(() => parseThroughputQuery(query)).toThrow(InvalidInput);
  });
});
