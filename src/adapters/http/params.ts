/** Path parameters, validated with zod into the documented errors. */
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { InvalidVersionFormatError, OmpsError } from '../../domain/errors.js';
import { isValidVersion } from '../../domain/release-version.js';

const segment = z.string().min(1);

/** A release version given in a publish URL: OMPSInvalidVersionFormat unless x.y.z. */
const releaseVersion = z.string().refine(isValidVersion, { message: 'invalid version format' });

export const publishParams = z.object({
  org: segment,
  repo: segment.optional(),
  nvr: segment.optional(),
  version: releaseVersion.optional(),
});

export const deleteParams = z.object({
  org: segment,
  repo: segment,
  /** Not format-checked: non-conforming releases can be deleted. */
  version: segment.optional(),
});

export const catalogParams = z.object({
  org: segment,
  package: segment.optional(),
});

export const validatePublishParams = zValidator('param', publishParams, (result, c) => {
  if (result.success) return;
  const version = c.req.param('version');
  if (version !== undefined && !isValidVersion(version)) throw new InvalidVersionFormatError(version);
  throw new OmpsError('NotFound', 'The requested URL was not found on the server.');
});

const notFound = (result: { success: boolean }) => {
  if (!result.success) throw new OmpsError('NotFound', 'The requested URL was not found on the server.');
};

export const validateDeleteParams = zValidator('param', deleteParams, notFound);

export const validateCatalogParams = zValidator('param', catalogParams, notFound);
