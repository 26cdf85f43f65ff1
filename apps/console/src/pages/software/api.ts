/** Software catalogue calls (issue 18): packages, upload, compatibility, the matrix, trusted signing keys. */
import type { CompatMatrix, PackageCompat, SigningKey, SigningKeyCreate, SoftwarePackage } from '@poscare/contracts';
import { api } from '../../api/client';

export type { CompatMatrix, SigningKey, SoftwarePackage } from '@poscare/contracts';
export { MAX_PACKAGE_BYTES, PACKAGE_KINDS } from '@poscare/contracts';

export const softwareApi = {
  packages: () => api<SoftwarePackage[]>('/software/packages'),
  matrix: () => api<CompatMatrix>('/software/matrix'),
  keys: () => api<SigningKey[]>('/signing-keys'),
  addKey: (body: SigningKeyCreate) => api<SigningKey>('/signing-keys', { method: 'POST', body }),
  revokeKey: (id: string) => api<SigningKey>(`/signing-keys/${id}/revoke`, { method: 'POST' }),
  setCompat: (id: string, body: PackageCompat) => api<SoftwarePackage>(`/software/packages/${id}/compat`, { method: 'PUT', body }),
  /** The text fields first, then the file (the server reads both either way). */
  upload: (fields: Record<string, string | undefined>, file: File) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    form.append('file', file);
    return api<SoftwarePackage>('/software/packages', { method: 'POST', body: form });
  },
};
