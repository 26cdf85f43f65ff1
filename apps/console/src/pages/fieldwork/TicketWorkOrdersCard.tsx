/** The "Work orders" card on a ticket: its on-site visits, and "create work order" for dispatchers. */
import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Modal, Select } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { fieldworkApi, WORK_ORDER_KINDS, type WorkOrderKind } from '../../api/fieldwork';
import type { TicketDetail } from '../../api/tickets';
import { useAuth } from '../../auth/AuthContext';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAssignees, useDepots, useRefreshFieldwork, useWorkOrderList } from './queries';
import { OutcomeTag, WorkOrderKindTag, WorkOrderStatusTag } from './shared';

interface CreateForm {
  kind: WorkOrderKind;
  assigneeId: string;
  scheduledAt?: Dayjs | null;
  depotId?: string;
  instructions?: string;
}

/** The kind a ticket's plan suggests: a replacement plan is a swap, anything else a repair. */
const kindForPlan = (plan: TicketDetail['plan']): WorkOrderKind => (plan?.kind === 'replacement' ? 'replacement' : 'repair');

export function CreateWorkOrderModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  const navigate = useNavigate();
  const [form] = Form.useForm<CreateForm>();
  const assignees = useAssignees(open);
  const depots = useDepots(open);
  const create = useMutation({
    mutationFn: (v: CreateForm) =>
      fieldworkApi.create({
        ticketId: ticket.id,
        kind: v.kind,
        assigneeId: v.assigneeId,
        ...(v.scheduledAt ? { scheduledAt: v.scheduledAt.toISOString() } : {}),
        ...(v.depotId ? { depotId: v.depotId } : {}),
        ...(v.instructions?.trim() ? { instructions: v.instructions.trim() } : {}),
      }),
    onSuccess: (wo) => {
      void message.success(t('workOrders.create.created', { number: wo.number }));
      refresh();
      onClose();
      navigate(`/work-orders/${wo.id}`);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal
      open={open}
      title={t('workOrders.create.title', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('workOrders.create.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'wo-create-submit' }}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ kind: kindForPlan(ticket.plan), instructions: ticket.plan?.summary ?? '' }}
        onFinish={(v) => create.mutate(v)}
        data-testid="wo-create-form"
      >
        <Form.Item name="kind" label={t('workOrders.create.kind')} rules={[{ required: true, message: t('common.required') }]}>
          <Select<WorkOrderKind> options={WORK_ORDER_KINDS.map((k) => ({ value: k, label: t(`workOrders.kind.${k}`) }))} data-testid="wo-create-kind" />
        </Form.Item>
        <Form.Item name="assigneeId" label={t('workOrders.create.assignee')} rules={[{ required: true, message: t('common.required') }]}>
          <Select<string>
            loading={assignees.isPending}
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('workOrders.create.assigneePlaceholder')}
            data-testid="wo-create-assignee"
            options={(assignees.data?.items ?? []).map((u) => ({
              value: u.id,
              label: `${u.name} · ${t(`roles.${u.role as 'engineer'}`)} · ${t('workOrders.create.openCount', { count: u.openWorkOrders })}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="scheduledAt" label={t('workOrders.create.scheduledAt')}>
          <DatePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="wo-create-when" />
        </Form.Item>
        <Form.Item name="depotId" label={t('workOrders.create.depot')} extra={t('workOrders.create.depotHint')}>
          <Select<string>
            allowClear
            loading={depots.isPending}
            data-testid="wo-create-depot"
            options={(depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}${d.region ? ` · ${d.region}` : ''}` }))}
          />
        </Form.Item>
        <Form.Item name="instructions" label={t('workOrders.create.instructions')}>
          <Input.TextArea rows={3} maxLength={4000} placeholder={t('workOrders.create.instructionsPlaceholder')} data-testid="wo-create-instructions" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function TicketWorkOrdersCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [creating, setCreating] = useState(false);
  const visible = can('workorders:read');
  const list = useWorkOrderList({ ticketId: ticket.id, status: 'all', limit: 20 }, visible);
  if (!visible) return null;
  const rows = list.data?.items ?? [];
  const canCreate = can('workorders:assign') && ticket.status !== 'closed' && !!ticket.terminalId;
  return (
    <Card
      title={t('workOrders.card.title')}
      className="section-card"
      size="small"
      data-testid="ticket-work-orders"
      extra={
        canCreate && (
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="wo-create">
            {t('workOrders.card.create')}
          </Button>
        )
      }
    >
      {rows.length === 0 ? (
        <span className="muted">{list.isPending ? t('common.loading') : t('workOrders.card.empty')}</span>
      ) : (
        <ul className="wo-ticket-list">
          {rows.map((w) => (
            <li key={w.id} data-testid="ticket-wo" data-number={w.number} data-status={w.status}>
              <Link to={`/work-orders/${w.id}`} className="wo-number">
                {w.number}
              </Link>
              <WorkOrderKindTag kind={w.kind} />
              <WorkOrderStatusTag status={w.status} />
              {w.outcome && <OutcomeTag outcome={w.outcome} />}
              <span className="muted wo-ticket-meta">
                {w.assigneeName ?? ''}
                {w.scheduledAt ? ` · ${formatTime(w.scheduledAt)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canCreate && <CreateWorkOrderModal ticket={ticket} open={creating} onClose={() => setCreating(false)} />}
    </Card>
  );
}
