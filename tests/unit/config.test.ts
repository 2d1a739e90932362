import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('MODEL_PERMISSIONS', () => {
  it('is off by default, as the contract has it', () => {
    expect(loadConfig({}).modelPermissions).toEqual({ models: [], requireView: false });
  });

  it('reads a comma-separated list of model labels', () => {
    const config = loadConfig({ MODEL_PERMISSIONS: ' lending.belonging, posts.post,', MODEL_PERMISSIONS_REQUIRE_VIEW: 'true' });
    expect(config.modelPermissions).toEqual({ models: ['lending.belonging', 'posts.post'], requireView: true });
  });

  it('refuses a label that names no resource, in one line', () => {
    expect(() => loadConfig({ MODEL_PERMISSIONS: 'lending.belongings' })).toThrow(ConfigError);
    expect(() => loadConfig({ MODEL_PERMISSIONS: 'lending.belongings' })).toThrow(
      'MODEL_PERMISSIONS must be a comma-separated list of posts.post, transactions.transaction, lending.friend, ' +
        'lending.belonging, lending.borrowing (got "lending.belongings")',
    );
  });
});
