/**
 * What a request carries through the app's middleware and handlers (Hono's
 * context variables), apart from the app itself so that middleware can name
 * it without importing the app that uses them.
 */
export type AppEnv = { Variables: { token: string; errorId?: string; requestId: string } };
