// The admin's user lookup core: input checked before the directory is asked, one page out.
import type { DirectoryPage, UserDirectory } from '../../lambdas/admin/user-lookup';
import { lookUpUsers, PAGE_SIZE } from '../../lambdas/admin/user-lookup';

const alice = { sub: 's-1', username: 'u-1', email: 'alice@example.com', enabled: true, status: 'CONFIRMED' };

function directory(page: DirectoryPage = { users: [alice] }) {
  const calls: Array<[string, number, string | undefined]> = [];
  const fake: UserDirectory = {
    findByEmailPrefix: (prefix, limit, cursor) => {
      calls.push([prefix, limit, cursor]);
      return Promise.resolve(page);
    },
  };
  return { fake, calls };
}

describe('lookUpUsers', () => {
  it('answers one page of users matching the email prefix, with the cursor of the next', async () => {
    const { fake, calls } = directory({ users: [alice], next: 'cursor-2' });
    expect(await lookUpUsers({ email: ' ali ', next: 'cursor-1' }, fake)).toEqual({
      status: 200,
      body: { email: 'ali', users: [alice], next: 'cursor-2' },
    });
    expect(calls).toEqual([['ali', PAGE_SIZE, 'cursor-1']]);
  });

  it.each([
    ['no email', {}],
    ['an empty email', { email: '  ' }],
    ['a quote that would escape the filter', { email: 'a" or email ^= "' }],
    ['a backslash', { email: 'a\\' }],
    ['an email over 128 characters', { email: 'a'.repeat(129) }],
    ['a cursor with foreign characters', { email: 'a', next: 'x y' }],
  ])('rejects %s with 400 and never asks the directory', async (_name, query) => {
    const { fake, calls } = directory();
    expect(await lookUpUsers(query, fake)).toMatchObject({ status: 400, body: { error: 'ERR_BAD_REQUEST' } });
    expect(calls).toEqual([]);
  });

  it('rejects a request without query parameters', async () => {
    const { fake } = directory();
    expect(await lookUpUsers(null, fake)).toMatchObject({ status: 400 });
  });
});
