/** Pieces the ticket pages share: priority and status tags, the SLA cell, the phone-intake form. */
import { App, Form, Input, Modal, Select, Tag, Tooltip } from 'antd';
import { PauseCircleOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ticketsApi, type SlaClock, type TicketPriority, type TicketStatus } from '../../api/tickets';
import { fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { PRIORITY_COLORS, STATUS_COLORS, TICKET_PRIORITY_LIST, createdText, slaLook } from '../../lib/tickets';
import { useTr } from '../alerts/shared';
import { TerminalSelect } from '../../components/EntitySelects';
import { useRefreshTickets } from './queries';
import './tickets.css';

export function PriorityTag({ priority, large }: { priority: TicketPriority; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag color={PRIORITY_COLORS[priority]} data-testid="ticket-priority" data-priority={priority} className={large ? 'ticket-tag-large' : undefined}>
      {t(`tickets.priority.${priority}`)}
    </Tag>
  );
}

export function TicketStatusTag({ status, large }: { status: TicketStatus; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={STATUS_COLORS[status]}
      data-testid="ticket-status"
      data-status={status}
      className={large ? 'ticket-tag-large' : undefined}
      icon={status === 'waiting_merchant' ? <PauseCircleOutlined /> : undefined}
    >
      {t(`tickets.status.${status}`)}
    </Tag>
  );
}

/** A clock's due time as relative time: red when breached or overdue, "paused" when paused. */
export function SlaDue({ clock }: { clock: Pick<SlaClock, 'paused' | 'due' | 'outcome' | 'breachedAt' | 'state' | 'remainingMinutes'> | undefined }) {
  const { t } = useTranslation();
  if (!clock) return <span className="muted">—</span>;
  const look = slaLook(clock);
  if (look === 'paused') return <Tag icon={<PauseCircleOutlined />} data-testid="ticket-sla" data-look={look}>{t('tickets.sla.looks.paused')}</Tag>;
  if (look === 'met') return <Tag color="green" data-testid="ticket-sla" data-look={look}>{t('tickets.sla.looks.met')}</Tag>;
  if (!clock.due) return <span className="muted" data-testid="ticket-sla" data-look={look}>{t(`tickets.sla.looks.${look}`)}</span>;
  const hot = look === 'breached' || look === 'overdue';
  return (
    <Tooltip title={formatTimeFull(clock.due)}>
      <span className={hot ? 'ticket-sla-hot' : undefined} data-testid="ticket-sla" data-look={look}>
        {fromNow(clock.due)}
      </span>
    </Tooltip>
  );
}

interface IntakeForm {
  terminalId?: string;
  title: string;
  description?: string;
  priority?: TicketPriority;
}

/** An agent takes a call: which terminal, what is wrong; the new ticket opens (or the open one it duplicates). */
export function NewTicketModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const tr = useTr();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const navigate = useNavigate();
  const [form] = Form.useForm<IntakeForm>();
  const create = useMutation({
    mutationFn: (v: IntakeForm) =>
      ticketsApi.create({
        ...(v.terminalId ? { terminalId: v.terminalId } : {}),
        title: v.title.trim(),
        description: v.description?.trim() ?? '',
        ...(v.priority ? { priority: v.priority } : {}),
        source: 'agent',
      }),
    onSuccess: (r) => {
      if (r.duplicate) void message.warning(createdText(r, tr));
      else void message.success(createdText(r, tr));
      refresh();
      onClose();
      navigate(`/tickets/${r.ticket.id}`);
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal
      open={open}
      title={t('tickets.create.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.create.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'new-ticket-submit' }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} data-testid="new-ticket-form" requiredMark={false}>
        <Form.Item name="terminalId" label={t('tickets.create.terminal')} extra={t('tickets.create.terminalHint')}>
          <TerminalSelect data-testid="new-ticket-terminal" />
        </Form.Item>
        <Form.Item name="title" label={t('tickets.create.titleField')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={200} placeholder={t('tickets.create.titlePlaceholder')} data-testid="new-ticket-title" />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.create.description')}>
          <Input.TextArea rows={3} maxLength={5000} placeholder={t('tickets.create.descriptionPlaceholder')} data-testid="new-ticket-description" />
        </Form.Item>
        <Form.Item name="priority" label={t('tickets.create.priority')}>
          <Select<TicketPriority>
            allowClear
            placeholder={t('tickets.create.priorityAuto')}
            options={TICKET_PRIORITY_LIST.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
            data-testid="new-ticket-priority"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
