import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is not ready before the server has started', () => {
    expect(new Readiness().notReadyReasons()).toEqual(['starting']);
  });

  it('is ready once started with every check passing', () => {
    const r = new Readiness();
    r.register('ingester', () => undefined);
    r.markStarted();
    expect(r.notReadyReasons()).toEqual([]);
  });

  it('names each failing check and its reason, including a check that throws', () => {
    const r = new Readiness();
    r.register('ingester', () => 'not in the ring');
    r.register('store', () => {
      throw new Error('disk gone');
    });
    r.register('querier', () => undefined);
    r.markStarted();
    expect(r.notReadyReasons()).toEqual(['ingester: not in the ring', 'store: check failed: disk gone']);
  });

  it('refuses a second check under the same name', () => {
    const r = new Readiness();
    r.register('a', () => undefined);
    expect(() => r.register('a', () => undefined)).toThrow('readiness check a registered twice');
  });
});
