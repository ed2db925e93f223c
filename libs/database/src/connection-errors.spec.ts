import { isConnectionError } from './connection-errors';

describe('isConnectionError', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '08006', '08001', '08P01', '57P01', '57P02', '57P03', '53300'])('%s is a connection failure', (code) => {
    expect(isConnectionError(withCode(code))).toBe(true);
  });

  it.each(['Connection terminated', 'Connection terminated unexpectedly', 'timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'])(
    "'%s' is a connection failure",
    (message) => {
      expect(isConnectionError(new Error(message))).toBe(true);
    },
  );

  it('unwraps TypeORM QueryFailedError (driverError), cause and AggregateError', () => {
    expect(isConnectionError(Object.assign(new Error('Query failed'), { driverError: withCode('57P01') }))).toBe(true);
    expect(isConnectionError(new Error('outer', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(isConnectionError(new AggregateError([withCode('ECONNREFUSED')], ''))).toBe(true);
  });

  it('other database errors are not', () => {
    expect(isConnectionError(withCode('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('Query failed'), { driverError: withCode('40P01') }))).toBe(false);
    expect(isConnectionError(new Error('boom'))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
    // A client that aborted its request body (raw-body) is not a database failure.
    expect(isConnectionError(Object.assign(new Error('request aborted'), { code: 'ECONNRESET', status: 400, type: 'request.aborted' }))).toBe(false);
  });
});
