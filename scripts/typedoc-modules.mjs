/**
 * TypeDoc plugin: the API reference grouped by module, in the order of docs/architecture.md. Each export of
 * src/index.ts goes into the group of the module whose folder declares it (`src/<module>/…`), with the module's
 * description from docs/architecture.md above it; the list is read through scripts/module-map.cjs, as the
 * dependency-cruiser rules read it, so the site cannot drift from the architecture. An export declared outside
 * every module folder is an error (and fails `npm run docs`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Converter, ReferenceReflection, ReflectionGroup } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { readModuleMap } = require('./module-map.cjs');

/** `{ name, description }` per module, in order: the text of each entry between its name and "Imports:". */
export function architectureModules(file = join(root, 'docs', 'architecture.md')) {
  const doc = readFileSync(file, 'utf8');
  return readModuleMap(file).map(({ name }) => {
    const entry = new RegExp(`^\\d+\\. \`${name.replace(/[/]/g, '\\/')}\` — ([\\s\\S]*?)\\s*Imports:`, 'm').exec(doc);
    return { name, description: (entry?.[1] ?? '').replace(/\s+/g, ' ').trim() };
  });
}

/** The module of a source file: the longest module name whose folder holds it, or undefined. */
export function moduleOfFile(fileName, names) {
  const path = relative(join(root, 'src'), fileName).split(sep).join('/');
  return names.filter((m) => path.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
}

/** Markdown inline code as typedoc display parts. */
function displayParts(text) {
  return text
    .split(/(`[^`]*`)/)
    .filter((t) => t !== '')
    .map((t) => (t.startsWith('`') ? { kind: 'code', text: t } : { kind: 'text', text: t }));
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const modules = architectureModules();
  const names = modules.map((m) => m.name);
  // Groups keep their kind order inside classes and interfaces (typedoc's default); the project's groups are the
  // documents, then the modules.
  app.on('bootstrapEnd', () => {
    if (!app.options.isSet('groupOrder'))
      app.options.setValue('groupOrder', [
        'Documents',
        ...names,
        ...['Modules', 'Namespaces', 'Enumerations', 'Classes', 'Interfaces', 'Type Aliases', 'Constructors'],
        ...['Properties', 'Variables', 'Functions', 'Accessors', 'Methods', 'References', '*'],
      ]);
  });
  // After typedoc's own grouping (priority -100), before categories (-200) and validation (-300).
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      const project = context.project;
      const byModule = new Map(names.map((n) => [n, []]));
      for (const child of project.children ?? []) {
        const target = child instanceof ReferenceReflection ? child.getTargetReflectionDeep() : child;
        const fileName = project.getSymbolIdFromReflection(target)?.fileName;
        const module = fileName == null ? undefined : moduleOfFile(fileName, names);
        if (module == null) {
          app.logger.error(
            `${child.name} (${fileName ?? 'no source file'}) is not declared in a module folder of docs/architecture.md`,
          );
          continue;
        }
        byModule.get(module).push(child);
      }
      const documents = (project.groups ?? []).filter((g) => g.children.every((c) => c.isDocument()));
      const groups = modules
        .filter((m) => byModule.get(m.name).length > 0)
        .map((m) => {
          const group = new ReflectionGroup(m.name, project);
          group.description = displayParts(m.description);
          group.children = byModule.get(m.name);
          return group;
        });
      project.groups = [...documents, ...groups];
    },
    -150,
  );
}
