import argon2 from 'argon2';

// OWASP's argon2id recommendation (m=19 MiB, t=2, p=1) keeps a sign-in under ~50 ms on this class of machine.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (plain: string) => argon2.hash(plain, OPTIONS);

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/**
 * A real hash of a random password, verified when the user does not exist so that the answer takes
 * as long as for a wrong password: response time does not reveal which emails have accounts.
 */
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword(`dummy-${Math.random()}`));
