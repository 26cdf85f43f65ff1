/**
 * One work order, made for the engineer's phone at 390 px: where to go (map link, call the shop), the
 * terminal and its recent history, the ticket's diagnosis and plan, then the visit itself — checklist,
 * parts used, photos, notes, swap, the customer's signature — and big status buttons at the bottom.
 */
import { usePartUnit } from './units';
import { useRef, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, Descriptions, Form, Image, Input, InputNumber, Modal, Radio, Row, Select, Skeleton, Tag, Timeline, Tooltip } from 'antd';
import type { DescriptionsProps } from 'antd';
import {
  CameraOutlined,
  CarOutlined,
  CheckCircleOutlined,
  CheckOutlined,
  CloseCircleOutlined,
  EnvironmentOutlined,
  PhoneOutlined,
  PlusOutlined,
  ReloadOutlined,
  RollbackOutlined,
  SwapOutlined,
  SyncOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import {
  fieldworkApi,
  PHOTO_MAX_BYTES,
  WORK_ORDER_OUTCOMES,
  type WorkOrderDetail,
  type WorkOrderOutcome,
  type WorkOrderStatus,
} from '../../api/fieldwork';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { StateTag } from '../../components/StateTag';
import { NotFound, QueryError } from '../../components/Status';
import { currentLanguage } from '../../i18n';
import { fromNow } from '../../lib/fleet';
import { EMPTY, formatTime, formatTimeFull, formatBytes } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAssignees, useDepots, useRefreshFieldwork, useStock, useWorkOrder } from './queries';
import { mapUrl, OutcomeTag, usePhone, WorkOrderKindTag, WorkOrderStatusTag } from './shared';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad';

type Detail = WorkOrderDetail;
const OPEN: WorkOrderStatus[] = ['assigned', 'en_route', 'on_site'];

/** Phone photos are large: anything over 1.5 MB is scaled to at most 2000 px and sent as JPEG. */
async function shrink(file: File): Promise<File> {
  if (file.size <= 1.5 * 1024 * 1024 || !/^image\/(jpeg|png|webp)$/.test(file.type)) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 2000 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob && blob.size < file.size ? new File([blob], file.name.replace(/\.\w+$/, '.jpg'), { type: 'image/jpeg' }) : file;
  } catch {
    return file;
  }
}

function useWoMutation<T>(wo: Detail, fn: (v: T) => Promise<Detail>, done?: string | ((d: Detail) => string)) {
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  return useMutation({
    mutationFn: fn,
    onSuccess: (d) => {
      if (done) void message.success(typeof done === 'string' ? done : done(d));
      refresh();
    },
    onError: (e) => showError(e),
  });
}

function VisitCard({ wo, dispatcher }: { wo: Detail; dispatcher: boolean }) {
  const { t } = useTranslation();
  const [reassigning, setReassigning] = useState(false);
  const phone = wo.merchant?.contactPhone;
  const items: DescriptionsProps['items'] = [
    {
      key: 'scheduled',
      label: t('workOrders.detail.scheduled'),
      children: wo.scheduledAt ? <span title={formatTimeFull(wo.scheduledAt)}>{formatTime(wo.scheduledAt)}</span> : <span className="muted">{t('workOrders.unscheduled')}</span>,
    },
    {
      key: 'assignee',
      label: t('workOrders.detail.assignee'),
      children: (
        <span>
          {wo.assigneeName ?? EMPTY}
          {dispatcher && OPEN.includes(wo.status) && (
            <Button size="small" type="link" icon={<UserSwitchOutlined />} onClick={() => setReassigning(true)} data-testid="wo-reassign">
              {t('workOrders.detail.reassign')}
            </Button>
          )}
        </span>
      ),
    },
    ...(wo.merchant ? [{ key: 'merchant', label: t('workOrders.detail.merchant'), children: wo.merchant.name }] : []),
    ...(wo.merchant?.contactName ? [{ key: 'contact', label: t('workOrders.detail.contact'), children: wo.merchant.contactName }] : []),
    { key: 'depot', label: t('workOrders.detail.depot'), children: wo.depotName ?? <span className="muted">{t('workOrders.detail.noDepot')}</span> },
    ...(wo.ticket
      ? [
          {
            key: 'ticket',
            label: t('workOrders.detail.ticket'),
            children: (
              <Link to={`/tickets/${wo.ticket.id}`} data-testid="wo-ticket-link">
                {wo.ticket.number}
              </Link>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card className="section-card" data-testid="wo-visit">
      <div className="wo-address">
        <EnvironmentOutlined className="wo-address-icon" />
        <div>
          <div className="wo-address-site">{wo.site ? `${wo.site.name}` : (wo.merchantName ?? EMPTY)}</div>
          <div className="wo-address-text" data-testid="wo-address">
            {wo.address ?? <span className="muted">{t('workOrders.detail.noAddress')}</span>}
          </div>
        </div>
      </div>
      <div className="wo-address-actions">
        {wo.address && (
          <Button size="large" icon={<EnvironmentOutlined />} href={mapUrl(wo.address)} target="_blank" rel="noopener noreferrer" data-testid="wo-map">
            {t('workOrders.detail.openMap')}
          </Button>
        )}
        {phone && (
          <Button size="large" icon={<PhoneOutlined />} href={`tel:${phone.replace(/[^\d+]/g, '')}`} data-testid="wo-call">
            {t('workOrders.detail.call')}
          </Button>
        )}
      </div>
      {wo.instructions && (
        <Alert type="info" showIcon className="wo-instructions" title={t('workOrders.detail.instructions')} description={<div className="pre-wrap">{wo.instructions}</div>} data-testid="wo-instructions" />
      )}
      {wo.status === 'cancelled' && wo.cancelReason && <Alert type="warning" showIcon className="wo-instructions" title={t('workOrders.detail.cancelledBecause', { reason: wo.cancelReason })} />}
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} items={items} style={{ marginTop: 12 }} />
      {reassigning && <ReassignModal wo={wo} onClose={() => setReassigning(false)} />}
    </Card>
  );
}

function ReassignModal({ wo, onClose }: { wo: Detail; onClose: () => void }) {
  const { t } = useTranslation();
  const assignees = useAssignees();
  const [value, setValue] = useState<string | undefined>(wo.assigneeId ?? undefined);
  const assign = useWoMutation(wo, (id: string) => fieldworkApi.assign(wo.id, { assigneeId: id }), t('workOrders.detail.reassigned'));
  return (
    <Modal
      open
      title={t('workOrders.detail.reassignTitle', { number: wo.number })}
      onCancel={onClose}
      onOk={() => value && assign.mutate(value, { onSuccess: onClose })}
      okButtonProps={{ disabled: !value || value === wo.assigneeId }}
      confirmLoading={assign.isPending}
      okText={t('workOrders.detail.reassign')}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <Select<string>
        value={value}
        onChange={setValue}
        style={{ width: '100%' }}
        loading={assignees.isPending}
        showSearch={{ optionFilterProp: 'label' }}
        options={(assignees.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} · ${t(`roles.${u.role as 'engineer'}`)} · ${t('workOrders.create.openCount', { count: u.openWorkOrders })}` }))}
      />
    </Modal>
  );
}

function TerminalCard({ wo }: { wo: Detail }) {
  const { t } = useTranslation();
  const term = wo.terminal;
  if (!term) return null;
  const reason = (r: string | null) => r ?? '';
  return (
    <Card title={t('workOrders.detail.terminal')} className="section-card" size="small" data-testid="wo-terminal">
      <div className="wo-terminal-head">
        <Link to={`/terminals/${term.id}`} className="mono wo-terminal-serial">
          {term.serialNumber}
        </Link>
        <StateTag state={term.lifecycleState} />
      </div>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: 'model', label: t('workOrders.detail.model'), children: `${term.vendor} ${term.model}` },
          { key: 'tid', label: t('workOrders.detail.tid'), children: term.tid ?? EMPTY },
          { key: 'versions', label: t('workOrders.detail.versions'), children: [term.osVersion, term.appVersion, term.firmwareVersion].filter(Boolean).join(' · ') || EMPTY },
        ]}
      />
      <div className="wo-subtitle">{t('workOrders.detail.history')}</div>
      {term.history.length === 0 && term.tickets.length === 0 ? (
        <span className="muted">{t('workOrders.detail.noHistory')}</span>
      ) : (
        <Timeline
          className="wo-history"
          items={[
            ...term.tickets.map((k) => ({
              key: `t-${k.id}`,
              at: k.createdAt,
              color: 'blue',
              content: (
                <div>
                  <Link to={`/tickets/${k.id}`} className="mono">
                    {k.number}
                  </Link>{' '}
                  {k.title} <Tag>{t(`tickets.status.${k.status}`)}</Tag>
                  <div className="muted">{formatTime(k.createdAt)}</div>
                </div>
              ),
            })),
            ...term.history.map((h, i) => ({
              key: `h-${i}`,
              at: h.at,
              color: 'gray',
              content: (
                <div>
                  {h.fromState ? <StateTag state={h.fromState} /> : null}
                  {h.fromState ? '→ ' : ''}
                  <StateTag state={h.toState} /> <span className="muted">{reason(h.reason)}</span>
                  <div className="muted">
                    {formatTime(h.at)} · {h.actorName ?? t('common.system')}
                  </div>
                </div>
              ),
            })),
          ]
            .sort((a, b) => b.at.localeCompare(a.at))
            .slice(0, 8)
            .map(({ key, color, content }) => ({ key, color, content }))}
        />
      )}
    </Card>
  );
}

function DiagnosisPlanCard({ wo }: { wo: Detail }) {
  const { t } = useTranslation();
  const k = wo.ticket;
  if (!k) return null;
  return (
    <Card title={t('workOrders.detail.diagnosis')} className="section-card" size="small" data-testid="wo-diagnosis">
      <div className="wo-ticket-title">
        <Link to={`/tickets/${k.id}`} className="mono">
          {k.number}
        </Link>{' '}
        {k.title}
      </div>
      {k.description && <div className="pre-wrap muted wo-ticket-desc">{k.description}</div>}
      {k.causes.length > 0 ? (
        <ol className="wo-causes">
          {k.causes.slice(0, 3).map((c) => (
            <li key={c.code} data-testid="wo-cause" data-code={c.code}>
              <span>{c.title}</span> <span className="muted mono">{c.code}</span> <Tag>{Math.round(c.confidence * 100)}%</Tag>
            </li>
          ))}
        </ol>
      ) : (
        k.causeCode && <div className="mono">{k.causeCode}</div>
      )}
      <div className="wo-subtitle">{t('workOrders.detail.plan')}</div>
      {k.plan ? (
        <div data-testid="wo-plan">
          <Tag color="cyan">{t(`tickets.plan.kinds.${k.plan.kind}`)}</Tag>
          <div className="pre-wrap">{k.plan.summary}</div>
        </div>
      ) : (
        <span className="muted">{t('tickets.plan.none')}</span>
      )}
    </Card>
  );
}

function ChecklistCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const lng = currentLanguage();
  const tick = useWoMutation(wo, (v: { id: string; done: boolean }) => fieldworkApi.tick(wo.id, v.id, v.done));
  const done = wo.checklist.filter((i) => i.done).length;
  return (
    <Card
      title={t('workOrders.detail.checklist')}
      extra={<span className="muted" data-testid="wo-checklist-progress">{t('workOrders.detail.checklistProgress', { done, total: wo.checklist.length })}</span>}
      className="section-card"
      size="small"
      data-testid="wo-checklist"
    >
      <div className="wo-checklist">
        {wo.checklist.map((item) => (
          <label key={item.id} className={`wo-check${item.done ? ' wo-check-done' : ''}`} data-testid="wo-check" data-item={item.id} data-done={String(item.done)}>
            <Checkbox
              checked={item.done}
              disabled={!canWork || (tick.isPending && tick.variables?.id === item.id)}
              onChange={(e) => tick.mutate({ id: item.id, done: e.target.checked })}
            />
            <span className="wo-check-text">
              {item.text[lng]}
              {item.required && (
                <Tag color="red" className="wo-check-required">
                  {t('workOrders.detail.required')}
                </Tag>
              )}
              {item.done && item.doneAt && (
                <span className="muted wo-check-meta">
                  {formatTime(item.doneAt)} · {item.doneBy}
                </span>
              )}
            </span>
          </label>
        ))}
      </div>
    </Card>
  );
}

function PartsCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const unitText = usePartUnit();
  const [open, setOpen] = useState(false);
  return (
    <Card
      title={t('workOrders.detail.parts')}
      className="section-card"
      size="small"
      data-testid="wo-parts"
      extra={
        canWork && (
          <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="wo-use-parts">
            {t('workOrders.detail.useParts')}
          </Button>
        )
      }
    >
      {wo.parts.length === 0 ? (
        <span className="muted">{t('workOrders.detail.noParts')}</span>
      ) : (
        <ul className="wo-parts">
          {wo.parts.map((p) => (
            <li key={p.movementId} data-testid="wo-part" data-sku={p.sku}>
              <span className="wo-part-qty">
                {p.quantity} {unitText(p.unit)}
              </span>
              <span className="wo-part-name">
                {p.name} <span className="muted mono">{p.sku}</span>
              </span>
              <span className="muted wo-part-meta">
                {p.depotCode} · {formatTime(p.at)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {open && <UsePartsModal wo={wo} onClose={() => setOpen(false)} />}
    </Card>
  );
}

function UsePartsModal({ wo, onClose }: { wo: Detail; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ depotId: string; partId: string; quantity: number }>();
  const depotId = Form.useWatch('depotId', form) ?? wo.depotId ?? undefined;
  const depots = useDepots();
  const stock = useStock({ depotId, limit: 500 }, !!depotId);
  const showError = useShowError();
  const { message } = App.useApp();
  const refresh = useRefreshFieldwork();
  const use = useMutation({
    mutationFn: (v: { depotId: string; partId: string; quantity: number }) => fieldworkApi.useParts(wo.id, v),
    onSuccess: () => {
      void message.success(t('workOrders.detail.partUsed'));
      refresh();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  const rows = (stock.data?.items ?? []).slice().sort((a, b) => Number(b.quantity > 0) - Number(a.quantity > 0));
  return (
    <Modal
      open
      title={t('workOrders.detail.useParts')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('workOrders.detail.useParts')}
      cancelText={t('common.cancel')}
      confirmLoading={use.isPending}
      okButtonProps={{ 'data-testid': 'wo-parts-submit', size: 'large' }}
      cancelButtonProps={{ size: 'large' }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ depotId: wo.depotId ?? undefined, quantity: 1 }} onFinish={(v) => use.mutate(v)} requiredMark={false} data-testid="wo-parts-form">
        <Form.Item name="depotId" label={t('workOrders.detail.from')} rules={[{ required: true, message: t('common.required') }]}>
          <Select size="large" options={(depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}` }))} data-testid="wo-parts-depot" />
        </Form.Item>
        <Form.Item name="partId" label={t('workOrders.detail.partPick')} rules={[{ required: true, message: t('common.required') }]}>
          <Select
            size="large"
            loading={stock.isFetching}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="wo-parts-part"
            options={rows.map((r) => ({
              value: r.partId,
              label: `${r.name} · ${r.sku} · ${t('workOrders.detail.depotStock', { quantity: r.quantity, unit: r.unit })}`,
              disabled: r.quantity <= 0,
            }))}
          />
        </Form.Item>
        <Form.Item name="quantity" label={t('workOrders.detail.quantity')} rules={[{ required: true, message: t('common.required') }]}>
          <InputNumber size="large" min={1} max={1000} precision={0} style={{ width: '100%' }} data-testid="wo-parts-quantity" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PhotosCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const { message } = App.useApp();
  const upload = useWoMutation(wo, async (file: File) => fieldworkApi.addPhoto(wo.id, await shrink(file)), t('workOrders.detail.photoAdded'));
  const onFile = (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > PHOTO_MAX_BYTES * 3) {
      void message.error(t('workOrders.detail.photoTooLarge', { mb: PHOTO_MAX_BYTES / 1024 / 1024 }));
      return;
    }
    upload.mutate(file);
  };
  return (
    <Card
      title={t('workOrders.detail.photos')}
      className="section-card"
      size="small"
      data-testid="wo-photos"
      extra={
        canWork && (
          <>
            <input ref={input} type="file" accept="image/*" capture="environment" onChange={onFile} hidden data-testid="wo-photo-input" />
            <Button icon={<CameraOutlined />} loading={upload.isPending} onClick={() => input.current?.click()} data-testid="wo-photo-add">
              {t('workOrders.detail.addPhoto')}
            </Button>
          </>
        )
      }
    >
      {wo.photos.length === 0 ? (
        <span className="muted">{t('workOrders.detail.noPhotos')}</span>
      ) : (
        <Image.PreviewGroup>
          <div className="wo-photos">
            {wo.photos.map((p) => (
              <div key={p.id} className="wo-photo" data-testid="wo-photo">
                <Image src={p.url} width={96} height={96} alt={p.caption ?? ''} style={{ objectFit: 'cover' }} />
                <div className="muted wo-photo-meta" title={`${p.createdBy ?? ''} · ${formatBytes(p.bytes)}`}>
                  {formatTime(p.createdAt).slice(5)}
                </div>
              </div>
            ))}
          </div>
        </Image.PreviewGroup>
      )}
    </Card>
  );
}

function NotesCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState<string | null>(null);
  const save = useWoMutation(wo, (notes: string) => fieldworkApi.update(wo.id, { notes }), t('workOrders.detail.notesSaved'));
  const value = text ?? wo.notes ?? '';
  const dirty = text !== null && text !== (wo.notes ?? '');
  return (
    <Card title={t('workOrders.detail.notes')} className="section-card" size="small" data-testid="wo-notes">
      {canWork ? (
        <>
          <Input.TextArea value={value} onChange={(e) => setText(e.target.value)} rows={3} maxLength={8000} placeholder={t('workOrders.detail.notesPlaceholder')} data-testid="wo-notes-input" />
          <div className="wo-card-actions">
            <Button type="primary" disabled={!dirty} loading={save.isPending} onClick={() => save.mutate(value, { onSuccess: () => setText(null) })} data-testid="wo-notes-save">
              {t('workOrders.detail.saveNotes')}
            </Button>
          </div>
        </>
      ) : wo.notes ? (
        <div className="pre-wrap">{wo.notes}</div>
      ) : (
        <span className="muted">{t('workOrders.detail.noNotes')}</span>
      )}
    </Card>
  );
}

function SwapCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const [pick, setPick] = useState<string>();
  const onSite = wo.status === 'on_site';
  const candidates = useQuery({ queryKey: ['work-orders', 'swap-candidates', wo.id], queryFn: () => fieldworkApi.swapCandidates(wo.id), enabled: canWork && !wo.swap && onSite });
  const swap = useWoMutation(wo, async (newTerminalId: string) => (await fieldworkApi.swap(wo.id, { newTerminalId }), fieldworkApi.get(wo.id)), (d) =>
    t('workOrders.detail.swapDone', { old: d.swap?.oldSerialNumber ?? '', new: d.swap?.newSerialNumber ?? '' }),
  );
  if (wo.kind !== 'replacement') return null;
  const chosen = candidates.data?.items.find((c) => c.id === pick);
  return (
    <Card title={t('workOrders.detail.swap')} className="section-card" size="small" data-testid="wo-swap">
      {wo.swap ? (
        <div data-testid="wo-swap-done">
          <div className="wo-swap-line">
            <Link to={`/terminals/${wo.swap.oldTerminalId}`} className="mono">
              {wo.swap.oldSerialNumber}
            </Link>
            <SwapOutlined />
            <Link to={`/terminals/${wo.swap.newTerminalId}`} className="mono" data-testid="wo-swap-new">
              {wo.swap.newSerialNumber}
            </Link>
          </div>
          <div className="muted">
            {formatTime(wo.swap.at)} · {wo.swap.actor}
          </div>
        </div>
      ) : !canWork ? (
        <span className="muted">{t('workOrders.detail.swapPending')}</span>
      ) : !onSite ? (
        <span className="muted">{t('workOrders.detail.swapOnSite')}</span>
      ) : (
        <>
          <div className="muted" style={{ marginBottom: 8 }}>
            {t('workOrders.detail.swapHint')}
          </div>
          <Select<string>
            size="large"
            value={pick}
            onChange={setPick}
            style={{ width: '100%' }}
            placeholder={t('workOrders.detail.swapPick')}
            loading={candidates.isPending}
            notFoundContent={t('workOrders.detail.noCandidates')}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="wo-swap-pick"
            options={(candidates.data?.items ?? []).map((c) => ({
              value: c.id,
              label: `${c.serialNumber} · ${c.model}${c.depotName ? ` · ${c.depotName}` : ''}${c.inWorkOrderDepot ? ` ★` : ''}`,
            }))}
          />
          <Button
            type="primary"
            size="large"
            block
            icon={<SwapOutlined />}
            disabled={!pick}
            loading={swap.isPending}
            style={{ marginTop: 10 }}
            data-testid="wo-swap-do"
            onClick={() =>
              modal.confirm({
                title: t('workOrders.detail.swapDo'),
                content: t('workOrders.detail.swapConfirm', { old: wo.terminal?.serialNumber ?? '', new: chosen?.serialNumber ?? '' }),
                okText: t('workOrders.detail.swapDo'),
                cancelText: t('common.cancel'),
                onOk: () => swap.mutateAsync(pick!),
              })
            }
          >
            {t('workOrders.detail.swapDo')}
          </Button>
        </>
      )}
    </Card>
  );
}

function SignoffCard({ wo, canWork }: { wo: Detail; canWork: boolean }) {
  const { t } = useTranslation();
  const pad = useRef<SignaturePadHandle>(null);
  const [name, setName] = useState('');
  const [empty, setEmpty] = useState(true);
  const { message } = App.useApp();
  const save = useWoMutation(wo, (v: { signerName: string; signature: string }) => fieldworkApi.signoff(wo.id, v), t('workOrders.detail.signoffSaved'));
  const submit = () => {
    const signature = pad.current?.toDataUrl();
    if (!name.trim()) return void message.warning(t('workOrders.detail.signerRequired'));
    if (!signature) return void message.warning(t('workOrders.detail.signatureRequired'));
    save.mutate({ signerName: name.trim(), signature });
  };
  return (
    <Card title={t('workOrders.detail.signoff')} className="section-card" size="small" data-testid="wo-signoff" data-signed={String(!!wo.signoff)}>
      {wo.signoff ? (
        <div className="wo-signed">
          <img src={wo.signoff.signature} alt={wo.signoff.signerName} className="wo-signature-img" data-testid="wo-signature-img" />
          <div>
            <CheckCircleOutlined className="wo-ok" /> {t('workOrders.detail.signed', { name: wo.signoff.signerName, time: formatTime(wo.signoff.at) })}
          </div>
        </div>
      ) : canWork && wo.status === 'on_site' ? (
        <>
          <Input size="large" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder={t('workOrders.detail.signerName')} data-testid="wo-signer" style={{ marginBottom: 10 }} />
          <SignaturePad ref={pad} onChange={setEmpty} />
          <Button type="primary" size="large" block icon={<CheckOutlined />} onClick={submit} loading={save.isPending} disabled={empty || !name.trim()} style={{ marginTop: 10 }} data-testid="wo-signoff-save">
            {t('workOrders.detail.saveSignoff')}
          </Button>
        </>
      ) : (
        <span className="muted">{canWork ? t('workOrders.detail.signOnSite') : t('workOrders.detail.notSigned')}</span>
      )}
    </Card>
  );
}

/** The status buttons: big, at the bottom of a phone screen; completing and cancelling ask first. */
function ActionBar({ wo, phone }: { wo: Detail; phone: boolean }) {
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<'completed' | 'cancelled' | null>(null);
  const [outcome, setOutcome] = useState<WorkOrderOutcome | undefined>(wo.swap ? 'swapped' : undefined);
  const [reason, setReason] = useState('');
  const move = useWoMutation(wo, (v: { to: WorkOrderStatus; outcome?: WorkOrderOutcome; reason?: string }) => fieldworkApi.move(wo.id, v), (d) => t('workOrders.detail.moved', { status: t(`workOrders.status.${d.status}`) }));
  if (wo.next.length === 0) return null;
  const icon: Record<WorkOrderStatus, React.ReactNode> = {
    en_route: <CarOutlined />,
    on_site: <EnvironmentOutlined />,
    completed: <CheckCircleOutlined />,
    cancelled: <CloseCircleOutlined />,
    assigned: <RollbackOutlined />,
  };
  const order: WorkOrderStatus[] = ['en_route', 'on_site', 'completed', 'assigned', 'cancelled'];
  const buttons = [...wo.next].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const primary = buttons.find((s) => s !== 'cancelled' && s !== 'assigned');
  return (
    <>
      <div className={phone ? 'wo-action-bar wo-action-bar-phone' : 'wo-action-bar'} data-testid="wo-actions">
        {wo.status === 'on_site' && wo.missing.length > 0 && (
          <div className="wo-missing" data-testid="wo-missing">
            {t('workOrders.detail.missingTitle')} {wo.missing.map((m) => t(`workOrders.detail.missing.${m}`)).join(t('common.listSeparator'))}
          </div>
        )}
        <div className="wo-action-buttons">
          {buttons.map((to) => (
            <Button
              key={to}
              size="large"
              type={to === primary ? 'primary' : 'default'}
              danger={to === 'cancelled'}
              icon={icon[to]}
              loading={move.isPending && move.variables?.to === to}
              // Completing needs the sign-off and the required checklist items: the line above says which are missing.
              disabled={to === 'completed' && wo.missing.length > 0}
              onClick={() => (to === 'completed' || to === 'cancelled' ? setDialog(to) : move.mutate({ to }))}
              className={to === primary ? 'wo-action-primary' : undefined}
              data-testid={`wo-move-${to}`}
            >
              {t(`workOrders.detail.actions.${to}`)}
            </Button>
          ))}
        </div>
      </div>
      <Modal
        open={dialog !== null}
        title={dialog === 'completed' ? t('workOrders.detail.completeTitle', { number: wo.number }) : t('workOrders.detail.cancelTitle', { number: wo.number })}
        onCancel={() => setDialog(null)}
        onOk={() =>
          move.mutate(dialog === 'completed' ? { to: 'completed', ...(outcome ? { outcome } : {}) } : { to: 'cancelled', reason: reason.trim() }, {
            onSuccess: () => setDialog(null),
          })
        }
        okText={dialog === 'completed' ? t('workOrders.detail.actions.completed') : t('workOrders.detail.actions.cancelled')}
        okButtonProps={{ disabled: dialog === 'completed' ? !outcome || wo.missing.length > 0 : !reason.trim(), danger: dialog === 'cancelled', size: 'large', ...({ 'data-testid': 'wo-move-submit' } as Record<`data-${string}`, string>) }}
        cancelButtonProps={{ size: 'large' }}
        cancelText={t('common.cancel')}
        confirmLoading={move.isPending}
        destroyOnHidden
      >
        {dialog === 'completed' ? (
          <>
            {wo.missing.length > 0 && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`${t('workOrders.detail.missingTitle')} ${wo.missing.map((m) => t(`workOrders.detail.missing.${m}`)).join(t('common.listSeparator'))}`} />}
            <div className="wo-subtitle">{t('workOrders.detail.outcomeLabel')}</div>
            <Radio.Group value={outcome} onChange={(e) => setOutcome(e.target.value as WorkOrderOutcome)} className="wo-outcomes" data-testid="wo-outcome-pick">
              {WORK_ORDER_OUTCOMES.map((o) => (
                <Radio.Button key={o} value={o} disabled={o === 'swapped' && !wo.swap}>
                  <span data-testid={`wo-outcome-${o}`}>{t(`workOrders.outcome.${o}`)}</span>
                </Radio.Button>
              ))}
            </Radio.Group>
            <div className="muted" style={{ marginTop: 10 }}>
              {t('workOrders.detail.completeHint')}
            </div>
          </>
        ) : (
          <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={2000} placeholder={t('workOrders.detail.cancelReason')} data-testid="wo-cancel-reason" />
        )}
      </Modal>
    </>
  );
}

export default function WorkOrderPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { me, can } = useAuth();
  const q = useWorkOrder(id);
  const phone = usePhone();
  const wo = q.data;
  if (q.isPending) {
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  if (q.isError && !wo) {
    if (isApiError(q.error) && (q.error.status === 404 || q.error.status === 400)) return <NotFound />;
    return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  }
  const w = wo!;
  const dispatcher = can('workorders:assign');
  const open = OPEN.includes(w.status);
  const canWork = open && can('workorders:work') && (w.assigneeId === me?.id || dispatcher);
  const readOnlyNote = open && !canWork && w.assigneeName;

  return (
    <div data-testid="page-work-order" data-id={w.id} data-status={w.status} data-number={w.number} className={phone ? 'wo-page wo-page-phone' : 'wo-page'}>
      <PageHeader
        backTo="/work-orders"
        title={
          <span>
            <span className="wo-number" data-testid="wo-number">
              {w.number}
            </span>
          </span>
        }
        tags={
          <>
            <WorkOrderKindTag kind={w.kind} />
            <WorkOrderStatusTag status={w.status} large />
            {w.outcome && <OutcomeTag outcome={w.outcome} />}
          </>
        }
        subtitle={
          <span>
            {w.serialNumber && <span className="mono">{w.serialNumber}</span>}
            {w.updatedAt && (
              <>
                {' · '}
                <span title={formatTimeFull(w.updatedAt)}>{fromNow(w.updatedAt)}</span>
              </>
            )}
          </span>
        }
        extra={
          // The page follows changes by itself; on a phone the header keeps its room.
          !phone && (
          <Tooltip title={t('common.refresh')}>
            <Button icon={q.isFetching ? <SyncOutlined spin /> : <ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />
          </Tooltip>
          )
        }
      />
      {readOnlyNote && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('workOrders.detail.readOnly', { name: w.assigneeName })} />}
      {!phone && <ActionBar wo={w} phone={false} />}
      {w.completedAt && (
        <Alert type="success" showIcon style={{ marginBottom: 12 }} title={t('workOrders.detail.completedAt', { time: formatTime(w.completedAt) })} data-testid="wo-completed" />
      )}
      {phone ? (
        // On the phone: where and why first, then the visit in the order it happens.
        <>
          <VisitCard wo={w} dispatcher={dispatcher} />
          <DiagnosisPlanCard wo={w} />
          <TerminalCard wo={w} />
          <ChecklistCard wo={w} canWork={canWork} />
          <PartsCard wo={w} canWork={canWork} />
          <SwapCard wo={w} canWork={canWork} />
          <PhotosCard wo={w} canWork={canWork} />
          <NotesCard wo={w} canWork={canWork} />
          <SignoffCard wo={w} canWork={canWork} />
        </>
      ) : (
        <Row gutter={[16, 0]}>
          <Col xs={24} xl={14}>
            <VisitCard wo={w} dispatcher={dispatcher} />
            <ChecklistCard wo={w} canWork={canWork} />
            <PartsCard wo={w} canWork={canWork} />
            <SwapCard wo={w} canWork={canWork} />
            <PhotosCard wo={w} canWork={canWork} />
            <NotesCard wo={w} canWork={canWork} />
            <SignoffCard wo={w} canWork={canWork} />
          </Col>
          <Col xs={24} xl={10}>
            <DiagnosisPlanCard wo={w} />
            <TerminalCard wo={w} />
          </Col>
        </Row>
      )}
      {phone && <ActionBar wo={w} phone />}
    </div>
  );
}
