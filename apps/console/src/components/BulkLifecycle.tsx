/** Moves the terminals chosen in the list to another lifecycle state; each is moved on its own and refusals are listed. */
import { useState } from 'react';
import { App, Button, Form, Input, Modal, Select } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STATES, type BulkResult, type LifecycleState } from '@poscare/contracts';
import { api } from '../api/client';
import { BulkFailures } from './BulkFailures';
import { useShowError } from '../lib/hooks';

export function BulkLifecycle({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ to: LifecycleState; reason?: string }>();
  const [result, setResult] = useState<BulkResult | null>(null);
  const move = useMutation({
    mutationFn: (v: { to: LifecycleState; reason?: string }) => api<BulkResult>('/terminals/bulk/lifecycle', { method: 'POST', body: { ids, to: v.to, reason: v.reason?.trim() || undefined } }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['terminals'] });
      if (r.failed.length === 0) {
        void message.success(t('terminal.bulk.done', { count: r.done }));
        setOpen(false);
        onDone();
      } else setResult(r);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <>
      <Button onClick={() => (setResult(null), setOpen(true))} data-testid="bulk-lifecycle">
        {t('terminal.bulk.changeState', { count: ids.length })}
      </Button>
      <Modal
        open={open}
        title={t('terminal.bulk.title', { count: ids.length })}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('terminal.bulk.apply')}
        cancelText={t('common.cancel')}
        confirmLoading={move.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => move.mutate(v)}>
          <Form.Item name="to" label={t('terminal.bulk.to')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={LIFECYCLE_STATES.map((s) => ({ value: s, label: t(`states.${s}`) }))} data-testid="bulk-lifecycle-to" />
          </Form.Item>
          <Form.Item name="reason" label={t('terminal.bulk.reason')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
        {result && <BulkFailures result={result} title={t('terminal.bulk.partial', { done: result.done, failed: result.failed.length })} />}
      </Modal>
    </>
  );
}
