/** Gives the tickets chosen in the queue to one person (or nobody); each is assigned on its own and refusals are listed. */
import { useState } from 'react';
import { App, Button, Form, Modal, Select } from 'antd';
import { UserSwitchOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { BulkResult } from '@poscare/contracts';
import { ticketsApi } from '../../api/tickets';
import { BulkFailures } from '../../components/BulkFailures';
import { useShowError } from '../../lib/hooks';
import { useRefreshTickets, useTicketAssignees } from './queries';

const NOBODY = '__nobody__';

/** Options for an assignee select: each person with their role and how many open tickets they hold. */
export function useAssigneeOptions(enabled = true) {
  const { t } = useTranslation();
  const staff = useTicketAssignees(enabled);
  const options = (staff.data?.items ?? []).map((u) => ({
    value: u.id,
    label: `${t('tickets.assign.option', { name: u.name, count: u.openTickets })} (${t(`tickets.assign.role.${u.role as 'agent'}`, { defaultValue: u.role })})`,
  }));
  return { options, loading: staff.isFetching };
}

export function BulkAssign({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<BulkResult | null>(null);
  const [form] = Form.useForm<{ to: string }>();
  const { options, loading } = useAssigneeOptions(open);
  const assign = useMutation({
    mutationFn: (v: { to: string }) => ticketsApi.assignMany({ ids, assigneeId: v.to === NOBODY ? null : v.to }),
    onSuccess: (r) => {
      refresh();
      if (r.failed.length === 0) {
        void message.success(t('tickets.bulkAssign.done', { count: r.done }));
        setOpen(false);
        onDone();
      } else setResult(r);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <>
      <Button icon={<UserSwitchOutlined />} onClick={() => (setResult(null), setOpen(true))} data-testid="bulk-assign">
        {t('tickets.bulkAssign.button', { count: ids.length })}
      </Button>
      <Modal
        open={open}
        title={t('tickets.bulkAssign.title', { count: ids.length })}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('tickets.bulkAssign.apply')}
        cancelText={t('common.cancel')}
        confirmLoading={assign.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => assign.mutate(v)}>
          <Form.Item name="to" label={t('tickets.bulkAssign.to')} rules={[{ required: true, message: t('common.required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={loading}
              options={[...options, { value: NOBODY, label: t('tickets.bulkAssign.nobody') }]}
              data-testid="bulk-assign-to"
            />
          </Form.Item>
        </Form>
        {result && <BulkFailures result={result} title={t('tickets.bulkAssign.partial', { done: result.done, failed: result.failed.length })} />}
      </Modal>
    </>
  );
}
