import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  IdParams,
  KB_IMAGE_MAX_BYTES,
  KbArticle,
  KbArticleQuery,
  KbArticleUpdate,
  KbArticleWrite,
  KbCaseStudyCreate,
  KbCaseStudyCreated,
  KbCauseList,
  KbFeedback,
  KbForCausesQuery,
  KbForCausesResult,
  KbImage,
  KbImageUploadQuery,
  KbRestore,
  KbSearchQuery,
  KbSearchResult,
  KbStarterResult,
  KbStatus,
  KbVersion,
  KbVersionRow,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { AppError } from '../errors/errors.js';
import type { KnowledgeService } from './service.js';

const tags = ['knowledge base'];

export const knowledgeRoutes =
  (svc: KnowledgeService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/kb/search', {
      config: { permission: 'kb:read' },
      schema: {
        tags,
        summary: 'Search articles in both languages (jieba-cut words, ranked; published first); without q, the newest. Merchants: published only',
        querystring: KbSearchQuery,
        response: { 200: KbSearchResult },
      },
      handler: (req) => svc.search(requireActor(req), req.query, req.lang),
    });
    app.get('/kb/for-causes', {
      config: { permission: 'kb:read' },
      schema: { tags, summary: "Published articles for a diagnosis' causes (codes=a,b, most likely first), best first", querystring: KbForCausesQuery, response: { 200: KbForCausesResult } },
      handler: (req) => svc.forCauses(requireActor(req), req.query.codes, req.query.limit, req.query.lang ?? req.lang),
    });
    app.get('/kb/causes', {
      config: { permission: 'kb:read' },
      schema: { tags, summary: 'The fault taxonomy with names in the caller language and the number of published articles per cause', response: { 200: KbCauseList } },
      handler: (req) => svc.causes(requireActor(req), req.lang),
    });
    app.post('/kb/articles', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: 'Write a new article (a draft, version 1)', body: KbArticleWrite, response: { 201: KbArticle } },
      handler: async (req, reply) => reply.status(201).send(await svc.create(requireActor(req), req.body, req.lang)),
    });
    app.get('/kb/articles/:id', {
      config: { permission: 'kb:read' },
      schema: { tags, summary: 'An article (merchants: published only); ?version=n shows an older version (editors)', params: IdParams, querystring: KbArticleQuery, response: { 200: KbArticle } },
      handler: (req) => svc.get(requireActor(req), req.params.id, req.lang, { version: req.query.version, view: req.query.view === '1' }),
    });
    app.put('/kb/articles/:id', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: 'Save an edit as a new version (with a note); refused with 409 when someone saved since baseVersion', params: IdParams, body: KbArticleUpdate, response: { 200: KbArticle } },
      handler: (req) => svc.update(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/kb/articles/:id/status', {
      config: { permission: 'kb:write' },
      schema: {
        tags,
        summary: 'Publish (title and summary needed in both languages), archive, or take back to draft; recorded as a new version',
        params: IdParams,
        body: z.object({ status: KbStatus, note: z.string().trim().max(500).optional() }),
        response: { 200: KbArticle },
      },
      handler: (req) => svc.setStatus(requireActor(req), req.params.id, req.body.status, req.body.note, req.lang),
    });
    app.get('/kb/articles/:id/versions', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: 'Version history: who, when, why, newest first', params: IdParams, response: { 200: z.object({ items: z.array(KbVersionRow) }) } },
      handler: (req) => svc.versions(requireActor(req), req.params.id),
    });
    app.get('/kb/articles/:id/version', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: 'One version in full, as it was saved', params: IdParams, querystring: z.object({ n: z.coerce.number().int().min(1) }), response: { 200: KbVersion } },
      handler: (req) => svc.versionDetail(requireActor(req), req.params.id, req.query.n),
    });
    app.post('/kb/articles/:id/restore', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: "Bring an older version's content back as a new version", params: IdParams, body: KbRestore, response: { 200: KbArticle } },
      handler: (req) => svc.restore(requireActor(req), req.params.id, req.body.version, req.body.note, req.lang),
    });
    app.post('/kb/articles/:id/feedback', {
      config: { permission: 'kb:read' },
      schema: { tags, summary: 'Was this helpful? One answer per person, which they may change', params: IdParams, body: KbFeedback, response: { 200: KbArticle } },
      handler: (req) => svc.feedback(requireActor(req), req.params.id, req.body.helpful, req.lang),
    });
    app.post('/kb/images', {
      config: { permission: 'kb:write' },
      schema: {
        tags,
        summary: `Upload a picture for an article's steps (multipart field "file"; PNG, JPEG or WebP up to ${KB_IMAGE_MAX_BYTES / 1024 / 1024} MB)`,
        consumes: ['multipart/form-data'],
        querystring: KbImageUploadQuery,
        response: { 201: KbImage },
      },
      handler: async (req, reply) => {
        const actor = requireActor(req);
        const file = await receiveFile(req, { maxBytes: KB_IMAGE_MAX_BYTES, tooLarge: () => new AppError('kb.image_too_large', 413, { max: KB_IMAGE_MAX_BYTES / 1024 / 1024 }) });
        if (!file) throw new AppError('kb.image_required', 400);
        return reply.status(201).send(await svc.uploadImage(actor, file.bytes, req.query.articleId));
      },
    });
    app.get('/kb/images/:id', {
      config: { permission: 'kb:read' },
      schema: { tags, summary: 'A picture (signed-in users of its organization; merchants: pictures of published articles)', params: IdParams },
      handler: async (req, reply) => {
        const img = await svc.image(requireActor(req), req.params.id);
        return reply
          .header('content-type', img.contentType)
          .header('cache-control', 'private, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          .send(img.data);
      },
    });
    app.post('/kb/case-studies', {
      config: { permission: 'kb:write' },
      schema: {
        tags,
        summary: 'Make a case study: a draft article pre-filled from a resolved or closed ticket; the same ticket again returns that article',
        body: KbCaseStudyCreate,
        response: { 201: KbCaseStudyCreated, 200: KbCaseStudyCreated },
      },
      handler: async (req, reply) => {
        const r = await svc.caseStudy(requireActor(req), req.body.ticketId, req.lang);
        return reply.status(r.existing ? 200 : 201).send(r);
      },
    });
    app.post('/kb/starter', {
      config: { permission: 'kb:write' },
      schema: { tags, summary: 'Load the starter articles into this organization (admins; articles already loaded are kept as they are)', response: { 200: KbStarterResult } },
      handler: (req) => svc.importStarter(requireActor(req)),
    });
  };
