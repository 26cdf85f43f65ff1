/** What a bulk action could not do: how many were done, and the first refusals in the reader's language. */
import { Alert } from 'antd';
import type { BulkResult } from '@poscare/contracts';

export function BulkFailures({ result, title }: { result: BulkResult; title: string }) {
  return (
    <Alert
      type="warning"
      showIcon
      title={title}
      description={
        <ul className="bulk-failures">
          {result.failed.slice(0, 10).map((f) => (
            <li key={f.id}>{f.error.message}</li>
          ))}
        </ul>
      }
    />
  );
}
