// Lambda's Node.js runtimes (18 and later) search the NODE_PATH folders when an ES module imports
// a package its own folders lack: that is how `import '@aws-sdk/client-s3'` in /var/task/index.mjs
// reaches the runtime's SDK in /var/runtime/node_modules. The open-source aws-lambda-ric has no such
// search, so the conformance test registers this hook (node --import) to put the stand-in runtime
// SDK where Lambda puts its own: after the code's folders, before failing.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { pathToFileURL } from 'node:url';
const folders = (process.env.NODE_PATH ?? '').split(':').filter(Boolean);
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || /^[./]|^[a-z]+:/.test(specifier)) throw error;
    for (const folder of folders) {
      try {
        return await next(specifier, { ...context, parentURL: pathToFileURL(folder + '/').href });
      } catch {}
    }
    throw error;
  }
}`)}`,
);
