import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../../../libs/auth/src/scopes.decorator';
import { ApiErrorResponses, NotFound } from '../../../../libs/common/src';
import { DASHBOARD_SECURITY_HEADERS, DashboardAsset, loadDashboardAssets } from './dashboard-assets';

/**
 * The operators' dashboard (SPEC section 8): a static page, public like /docs. It holds no data and no secret: the
 * page signs in with an API client's id and secret at /oauth/token and reads everything from the API with the
 * bearer token, so the project routes' scopes decide what it shows.
 */
@ApiTags('Dashboard')
@Controller('dashboard')
export class DashboardController {
  private readonly assets: Map<string, DashboardAsset> = loadDashboardAssets();

  @Get()
  @Public()
  @ApiOperation({ summary: 'The operators’ dashboard (HTML page; signs in with an API client)' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page', schema: { type: 'string' } })
  @ApiErrorResponses(400, 404)
  page(@Req() req: Request, @Res() res: Response): void {
    this.send('index.html', req, res);
  }

  // Under a literal `assets` segment: a bare `dashboard/:asset` would also match `/{projectKey}/products` and the like
  // for a project called `dashboard`, depending on route order.
  @Get('assets/:asset')
  @Public()
  @ApiOperation({ summary: 'A static file of the dashboard (script, style sheet)' })
  @ApiParam({ name: 'asset', description: 'File name, e.g. app.js' })
  @ApiProduces('text/javascript', 'text/css')
  @ApiOkResponse({ description: 'The file', schema: { type: 'string' } })
  @ApiErrorResponses(400, 404)
  asset(@Param('asset') name: string, @Req() req: Request, @Res() res: Response): void {
    this.send(name, req, res);
  }

  private send(name: string, req: Request, res: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFound(this.assets.size === 0 ? 'The dashboard files are not installed (apps/api/dashboard).' : `The dashboard has no file '${name.slice(0, 100)}'.`);
    for (const [header, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) res.setHeader(header, value);
    res.setHeader('ETag', asset.etag);
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.status(200).type(asset.contentType).send(asset.body);
  }
}
